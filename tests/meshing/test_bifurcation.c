/* Y bifurcation: parent tube r = 5 mm splitting at 30 degrees into two daughters r = 3.5 mm, each tube a
 * capsule (segment + hemispherical ends) painted at 0.5 mm voxels. Network built by hand (inlet, junction,
 * two outlets). Checks against the analytic geometry: three caps tagged 1, 2, 3 in network order, cap
 * areas within 3 % of pi r^2, normals within 5 degrees of each segment axis and pointing out, surface volume
 * within 2 % of the voxel count; the Gmsh mesh carries Face Sets {1,2,3,4} through DMPlex. */
#include "httest.h"
#include <htvtkio.h>
#include <petscdmplex.h>

static const PetscReal P0[3] = {15, 10, 6}, J[3] = {15, 10, 22}, H = 0.5;
static PetscReal       E[2][3];

static PetscReal SegDist(const PetscReal *p, const PetscReal *a, const PetscReal *b)
{
  PetscReal ab[3], ap[3], t = 0, l2 = 0, d2 = 0;
  for (int c = 0; c < 3; c++) {
    ab[c] = b[c] - a[c];
    ap[c] = p[c] - a[c];
    t += ab[c] * ap[c];
    l2 += ab[c] * ab[c];
  }
  t = PetscMax(0.0, PetscMin(1.0, t / l2));
  for (int c = 0; c < 3; c++) d2 += (ap[c] - t * ab[c]) * (ap[c] - t * ab[c]);
  return sqrt(d2);
}

static PetscErrorCode AddSeg(HtNetwork *net, PetscInt n0, PetscInt n1, const PetscReal *a, const PetscReal *b, PetscReal r)
{
  PetscReal L = 0, *x, *rr;
  PetscInt  n;
  PetscFunctionBeginUser;
  for (int c = 0; c < 3; c++) L += (b[c] - a[c]) * (b[c] - a[c]);
  L = sqrt(L);
  n = (PetscInt)(L / 0.5) + 1;
  PetscCall(PetscMalloc2(3 * n, &x, n, &rr));
  for (PetscInt i = 0; i < n; i++) {
    for (int c = 0; c < 3; c++) x[3 * i + c] = a[c] + (b[c] - a[c]) * i / (n - 1);
    rr[i] = r;
  }
  PetscCall(HtNetwork_AddSegment(net, n0, n1, n, x, rr, NULL, NULL));
  PetscCall(PetscFree2(x, rr));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  HtGrid           g;
  HtLabels         l;
  HtNetwork        net;
  HtSurface        s, c;
  HtSurfaceOptions so;
  HtSurfaceQuality q;
  HtMesh           m;
  PetscInt         n[3] = {61, 41, 90}, ni, nj, no1, no2, cnt = 0;
  PetscReal        o[3] = {0, 0, 0}, sp[3] = {H, H, H}, rad[3] = {5.0, 3.5, 3.5};
  int              val = 1;
  PetscFunctionBeginUser;
  for (int k = 0; k < 2; k++) {
    E[k][0] = J[0] + (k ? 1 : -1) * 20 * sin(PETSC_PI / 6);
    E[k][1] = J[1];
    E[k][2] = J[2] + 20 * cos(PETSC_PI / 6);
  }
  HtGrid_SetAxisAligned(&g, n, o, sp);
  PetscCall(HtLabels_Alloc(&l, &g));
  for (PetscInt k = 0; k < n[2]; k++)
    for (PetscInt j = 0; j < n[1]; j++)
      for (PetscInt i = 0; i < n[0]; i++) {
        PetscReal p[3] = {i * H, j * H, k * H};
        if (SegDist(p, P0, J) <= 5.0 || SegDist(p, J, E[0]) <= 3.5 || SegDist(p, J, E[1]) <= 3.5) {
          l.lab[HtGrid_Index(&g, i, j, k)] = 1;
          cnt++;
        }
      }
  PetscCall(HtNetwork_Init(&net));
  PetscCall(HtNetwork_AddNode(&net, P0, HT_NODE_INLET, "inlet", &ni));
  PetscCall(HtNetwork_AddNode(&net, J, HT_NODE_JUNCTION, "junction_1", &nj));
  PetscCall(HtNetwork_AddNode(&net, E[0], HT_NODE_OUTLET, "outlet_1", &no1));
  PetscCall(HtNetwork_AddNode(&net, E[1], HT_NODE_OUTLET, "outlet_2", &no2));
  PetscCall(AddSeg(&net, ni, nj, P0, J, 5.0));
  PetscCall(AddSeg(&net, nj, no1, J, E[0], 3.5));
  PetscCall(AddSeg(&net, nj, no2, J, E[1], 3.5));
  PetscCall(HtNetwork_Check(&net));

  PetscCall(HtSurfaceOptions_Default(&so));
  so.target_triangles = 8000;
  PetscCall(HtSurface_FromLabels(&l, &val, 1, &so, &s));
  PetscCall(HtSurface_Check(&s, &q));
  printf("Y surface: %d triangles, Euler %d, min angle %.1f deg, volume %.3f mL vs voxels %.3f mL (%+.2f %%)\n", (int)q.ntri, (int)q.euler, (double)q.min_angle_deg, (double)q.volume_mL, cnt * H * H * H / 1000, 100 * (q.volume_mL / (cnt * H * H * H / 1000) - 1));
  HT_CHECK_CLOSE(q.volume_mL, cnt * H * H * H / 1000, 0.02, 0, "Y surface volume vs voxel volume (mL)");
  PetscCall(HtSurface_Cap(&s, &net, &c));
  PetscCall(HtSurface_Check(&c, &q));
  printf("capped: %d triangles, %d caps, volume %.3f mL, min angle %.1f deg\n", (int)q.ntri, (int)c.ncaps, (double)q.volume_mL, (double)q.min_angle_deg);
  HT_CHECK(c.ncaps == 3, "3 caps expected");
  for (PetscInt k = 0; k < c.ncaps && k < 3; k++) {
    HtSurfaceCap    *cp = &c.caps[k];
    const PetscReal *a = k == 0 ? J : J, *b = k == 0 ? P0 : E[k - 1]; /* outward axis: from the junction to the end */
    PetscReal        ax[3], L = 0, cs = 0;
    for (int e = 0; e < 3; e++) {
      ax[e] = b[e] - a[e];
      L += ax[e] * ax[e];
    }
    for (int e = 0; e < 3; e++) cs += cp->normal[e] * ax[e] / sqrt(L);
    PetscReal ang = acos(PetscMin(1.0, cs)) * 180 / PETSC_PI, ref = PETSC_PI * rad[k] * rad[k];
    printf("  cap %s tag %d node %s: area %.2f mm^2 vs pi r^2 %.2f (%+.2f %%), outward normal %.2f deg from the axis\n", cp->name, (int)cp->tag, net.nodes[cp->node].name, (double)cp->area_mm2, ref, 100 * (cp->area_mm2 / ref - 1), ang);
    HT_CHECK(ang < 5.0, "cap %s normal %.2f deg off", cp->name, ang);
    HT_CHECK_CLOSE(cp->area_mm2, ref, 0.03, 0, "cap area (mm^2)");
    HT_CHECK(cp->tag == k + 1, "cap tag");
  }
  HT_CHECK(c.ncaps == 3 && c.caps[1].node == no1 && c.caps[2].node == no2 && !strcmp(c.caps[2].name, "outlet_2"), "cap order follows the network's outlet order");
  PetscCall(HtVTK_WriteSurface("y_capped.vtp", &c));
  PetscCall(HtMesh_Generate(&c, NULL, "y.msh", &m));
  printf("mesh: %d tets, volume %.3f mL (surface %.3f), min dihedral %.1f deg\n", (int)m.ntet, (double)m.q.volume_mL, (double)q.volume_mL, (double)m.q.min_dihedral_deg);
  HT_CHECK_CLOSE(m.q.volume_mL, q.volume_mL, 0.01, 0, "mesh volume (mL)");
  HT_CHECK(m.q.min_dihedral_deg > 5.0, "min dihedral %.2f", (double)m.q.min_dihedral_deg);
  {
    DM       dm;
    DMLabel  fs;
    IS       is;
    PetscInt nv;
    const PetscInt *v;
    PetscCall(DMPlexCreateFromFile(PETSC_COMM_SELF, "y.msh", "y", PETSC_TRUE, &dm));
    PetscCall(DMGetLabel(dm, "Face Sets", &fs));
    HT_CHECK(fs != NULL, "no Face Sets");
    if (fs) {
      PetscCall(DMLabelGetValueIS(fs, &is));
      PetscCall(ISGetLocalSize(is, &nv));
      PetscCall(ISGetIndices(is, &v));
      printf("DMPlex Face Sets:");
      for (PetscInt i = 0; i < nv; i++) printf(" %d", (int)v[i]);
      printf("\n");
      HT_CHECK(nv == 4 && v[0] == 1 && v[3] == 4, "Face Sets must be {1,2,3,4}");
      PetscCall(ISRestoreIndices(is, &v));
      PetscCall(ISDestroy(&is));
    }
    PetscCall(DMDestroy(&dm));
  }
  PetscCall(HtMesh_Destroy(&m));
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtSurface_Destroy(&c));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
