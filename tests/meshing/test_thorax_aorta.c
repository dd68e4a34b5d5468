/* Real aorta with its arch branches (TotalSegmentator labels aorta 1, brachiocephalic trunk 4, left
 * subclavian 5, left common carotid 6 of the thorax CTA, 1.5 mm voxels) through the meshing stage:
 * surface of the label union -> caps at the centerline ends (centerlines by HtCenterline_Extract on the
 * union) -> Gmsh mesh -> VTK files. Independent references: the labels' volumes in labels.json (voxel
 * count x voxel volume, from the data set's tooling) for the surface volume; the network's end radii
 * (cross-section areas of the mask, another engineer's method) for the cap areas; DMPlex for the mesh. */
#include "httest.h"
#include <htcenterline.h>
#include <htmesh.h>
#include <htvolumeio.h>
#include <htvtkio.h>
#include <petscdmplex.h>

static PetscErrorCode Body(void)
{
  char                path[PETSC_MAX_PATH_LEN];
  HtLabels            lab;
  HtNetwork           net;
  HtCenterlineOptions co;
  HtSurface           s, c;
  HtSurfaceOptions    so;
  HtSurfaceQuality    q, qc;
  HtMesh              m;
  HtMeshOptions       mo;
  int                 vals[4] = {1, 4, 5, 6};
  const PetscReal     ref_mL  = 245.734 + 5.805 + 4.863 + 2.221; /* labels.json mL_in_labelmap of the four */
  HtLabels            uni;
  PetscReal           hc[3] = {0, 0, 0};
  PetscInt            nh = 0;
  PetscFunctionBeginUser;
  if (!HtTest_RequireData("volumes/ts_thorax_cta/labels.nii.gz", path, sizeof(path))) PetscFunctionReturn(0);
  PetscCall(HtLabels_ReadNIfTI(path, &lab));
  PetscCall(HtSurfaceOptions_Default(&so));
  PetscCall(HtSurfaceOptions_SetFromOptions(&so, NULL));
  PetscCall(HtSurface_FromLabels(&lab, vals, 4, &so, &s));
  PetscCall(HtSurface_Check(&s, &q));
  printf("aorta + branches surface: %d points, %d triangles, Euler %d, min angle %.1f deg, volume %.2f mL vs labels.json %.2f mL (%+.2f %%), area %.0f mm^2\n", (int)q.npts, (int)q.ntri, (int)q.euler, (double)q.min_angle_deg, (double)q.volume_mL, (double)ref_mL, 100 * (q.volume_mL / ref_mL - 1), (double)q.area_mm2);
  /* 3 %: the largest component is kept (a 2 mL detached piece of a branch label is dropped) */
  HT_CHECK_CLOSE(q.volume_mL, ref_mL, 0.03, 0, "surface volume (mL) vs label volume");

  /* centerlines as the pipeline computes them: inlet hint = heart centroid */
  for (PetscInt k = 0; k < lab.g.n[2]; k++)
    for (PetscInt j = 0; j < lab.g.n[1]; j++)
      for (PetscInt i = 0; i < lab.g.n[0]; i++)
        if (lab.lab[HtGrid_Index(&lab.g, i, j, k)] == 2) {
          PetscReal ijk[3] = {i, j, k}, x[3];
          HtGrid_IndexToWorld(&lab.g, ijk, x);
          for (int e = 0; e < 3; e++) hc[e] += x[e];
          nh++;
        }
  /* centerlines of the union: one label value */
  PetscCall(HtLabels_Alloc(&uni, &lab.g));
  for (size_t i = 0; i < HtGrid_Count(&lab.g); i++) uni.lab[i] = (lab.lab[i] == 1 || lab.lab[i] == 4 || lab.lab[i] == 5 || lab.lab[i] == 6) ? 1 : 0;
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtCenterline_DefaultOptions(&co));
  co.have_inlet_hint = nh > 0 ? PETSC_TRUE : PETSC_FALSE;
  for (int e = 0; e < 3; e++) co.inlet_hint_mm[e] = hc[e] / PetscMax(nh, 1);
  PetscCall(HtCenterline_Extract(&uni, 1, &co, &net, NULL));
  PetscCall(HtLabels_Free(&uni));
  printf("network: %d nodes, %d segments\n", (int)net.nnodes, (int)net.nsegs);

  PetscCall(HtSurface_Cap(&s, &net, &c));
  PetscCall(HtSurface_Check(&c, &qc));
  printf("capped: %d triangles, %d caps, volume %.2f mL, min angle %.1f deg\n", (int)qc.ntri, (int)c.ncaps, (double)qc.volume_mL, (double)qc.min_angle_deg);
  HT_CHECK(qc.volume_mL < q.volume_mL && qc.volume_mL > 0.8 * q.volume_mL, "capping removed %.1f %% of the volume", 100 * (1 - qc.volume_mL / q.volume_mL));
  for (PetscInt k = 0; k < c.ncaps; k++) {
    HtSurfaceCap *cp = &c.caps[k];
    /* network radius at the node end */
    PetscReal rnet = 0;
    for (PetscInt sg = 0; sg < net.nsegs; sg++) {
      if (net.segs[sg].node[0] == cp->node) rnet = net.segs[sg].r[0];
      if (net.segs[sg].node[1] == cp->node) rnet = net.segs[sg].r[net.segs[sg].npts - 1];
    }
    printf("  cap %s (node %s): area %.1f mm^2, r_eq %.2f mm, network end radius %.2f mm (%+.0f %%)\n", cp->name, net.nodes[cp->node].name, (double)cp->area_mm2, (double)cp->radius_mm, (double)rnet, 100 * (cp->radius_mm / rnet - 1));
    HT_CHECK(PetscAbsReal(cp->radius_mm / rnet - 1) < 0.3, "cap %s: equivalent radius %.2f mm vs network %.2f mm", cp->name, (double)cp->radius_mm, (double)rnet);
  }
  PetscCall(HtMeshOptions_Default(&mo));
  PetscCall(HtMeshOptions_SetFromOptions(&mo, NULL));
  PetscCall(HtMesh_Generate(&c, &mo, "aorta.msh", &m));
  printf("mesh: %d nodes, %d tets, %d boundary triangles, volume %.2f mL (surface %.2f, %+.3f %%), dihedral %.1f..%.1f deg, radius ratio min %.3f mean %.3f\n", (int)m.nnodes, (int)m.ntet, (int)m.nbtri, (double)m.q.volume_mL, (double)qc.volume_mL, 100 * (m.q.volume_mL / qc.volume_mL - 1), (double)m.q.min_dihedral_deg, (double)m.q.max_dihedral_deg, (double)m.q.min_radius_ratio, (double)m.q.mean_radius_ratio);
  HT_CHECK_CLOSE(m.q.volume_mL, qc.volume_mL, 0.01, 0, "mesh volume vs capped surface (mL)");
  HT_CHECK(m.q.min_dihedral_deg > 5.0, "min dihedral %.2f deg", (double)m.q.min_dihedral_deg);
  {
    DM       dm;
    DMLabel  fs;
    PetscInt nv;
    PetscCall(DMPlexCreateFromFile(PETSC_COMM_SELF, "aorta.msh", "aorta", PETSC_TRUE, &dm));
    PetscCall(DMGetLabel(dm, "Face Sets", &fs));
    HT_CHECK(fs != NULL, "no Face Sets");
    if (fs) {
      PetscCall(DMLabelGetNumValues(fs, &nv));
      printf("DMPlex Face Sets: %d values (wall + %d caps)\n", (int)nv, (int)c.ncaps);
      HT_CHECK(nv == c.ncaps + 1, "Face Sets values %d", (int)nv);
    }
    PetscCall(DMDestroy(&dm));
  }
  PetscCall(HtVTK_WriteSurface("aorta_capped.vtp", &c));
  PetscCall(HtVTK_WriteMesh("aorta_mesh.vtu", &m));
  PetscCall(HtVTK_WriteNetwork("aorta_network.vtp", &net, 0, NULL));
  PetscCall(HtVTK_WriteLabels("aorta_labels.vti", &lab, "label"));
  PetscCall(HtMesh_Destroy(&m));
  PetscCall(HtSurface_Destroy(&c));
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&lab));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
