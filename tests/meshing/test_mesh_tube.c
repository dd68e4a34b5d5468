/* Capped tube -> Gmsh tetrahedral mesh. Checks: mesh volume equals the capped surface's enclosed volume
 * (1 %) and pi r^2 L (2 %), min dihedral angle > 5 deg, and PETSc's DMPlex reads the .msh files (MSH 4.1
 * and 2.2) with the physical groups as labels "Face Sets" = {1 wall, 2 inlet, 3 outlet_1} and
 * "Cell Sets" = {1 fluid}, the same number of cells, and the same volume. */
#include "httest.h"
#include "tube.h"
#include <htmesh.h>
#include <petscdmplex.h>

static PetscErrorCode CheckPlex(const char *path, const HtMesh *m)
{
  DM              dm;
  DMLabel         fs, cs;
  IS              is;
  PetscInt        n, cStart, cEnd, nface[3] = {0, 0, 0};
  const PetscInt *v;
  PetscReal       vol = 0;
  PetscFunctionBeginUser;
  PetscCall(DMPlexCreateFromFile(PETSC_COMM_SELF, path, "fluid", PETSC_TRUE, &dm));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscReal cv, cen[3];
    PetscCall(DMPlexComputeCellGeometryFVM(dm, c, &cv, cen, NULL));
    vol += cv;
  }
  printf("%s: DMPlex %d cells (HtMesh %d), volume %.4f mL (HtMesh %.4f)\n", path, (int)(cEnd - cStart), (int)m->ntet, vol / 1000, (double)m->q.volume_mL);
  HT_CHECK(cEnd - cStart == m->ntet, "%s: DMPlex cells %d != tets %d", path, (int)(cEnd - cStart), (int)m->ntet);
  HT_CHECK_CLOSE(vol / 1000, m->q.volume_mL, 1e-6, 0, "DMPlex volume (mL)");
  PetscCall(DMGetLabel(dm, "Face Sets", &fs));
  PetscCall(DMGetLabel(dm, "Cell Sets", &cs));
  HT_CHECK(fs != NULL, "%s: no label Face Sets", path);
  HT_CHECK(cs != NULL, "%s: no label Cell Sets", path);
  if (fs) {
    PetscCall(DMLabelGetValueIS(fs, &is));
    PetscCall(ISGetLocalSize(is, &n));
    PetscCall(ISGetIndices(is, &v));
    printf("  Face Sets values:");
    for (PetscInt i = 0; i < n; i++) {
      PetscInt sz;
      PetscCall(DMLabelGetStratumSize(fs, v[i], &sz));
      printf(" %d (%d faces)", (int)v[i], (int)sz);
      if (v[i] >= 1 && v[i] <= 3) nface[v[i] - 1] = sz;
    }
    printf("\n");
    HT_CHECK(n == 3 && v[0] == 1 && v[1] == 2 && v[2] == 3, "%s: Face Sets values must be {1,2,3}", path);
    PetscCall(ISRestoreIndices(is, &v));
    PetscCall(ISDestroy(&is));
    PetscInt nb[3] = {0, 0, 0};
    for (PetscInt t = 0; t < m->nbtri; t++) nb[m->btag[t]]++;
    for (int k = 0; k < 3; k++) HT_CHECK(nface[k] == nb[k], "%s: Face Set %d has %d faces, mesh has %d triangles with tag %d", path, k + 1, (int)nface[k], (int)nb[k], k);
  }
  if (cs) {
    PetscInt sz;
    PetscCall(DMLabelGetStratumSize(cs, HT_MESH_FLUID_ID, &sz));
    printf("  Cell Sets value 1: %d cells\n", (int)sz);
    HT_CHECK(sz == m->ntet, "%s: Cell Sets 1 has %d cells", path, (int)sz);
  }
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  HtLabels         l;
  HtNetwork        net;
  HtSurface        s, c;
  HtSurfaceOptions so;
  HtSurfaceQuality q;
  HtMeshOptions    mo;
  HtMesh           m, m2;
  int              val = 1;
  PetscFunctionBeginUser;
  PetscCall(Tube_Labels(&l));
  PetscCall(Tube_Network(&net));
  PetscCall(HtSurfaceOptions_Default(&so));
  so.target_triangles = 5000; /* exercise decimation + sliver removal */
  PetscCall(HtSurfaceOptions_SetFromOptions(&so, NULL));
  PetscCall(HtSurface_FromLabels(&l, &val, 1, &so, &s));
  PetscCall(HtSurface_Cap(&s, &net, &c));
  PetscCall(HtSurface_Check(&c, &q));
  {
    HtSurfaceQuality q0;
    PetscCall(HtSurface_Quality(&s, &q0));
    printf("surface: %d triangles, min angle %.2f deg\n", (int)s.ntri, (double)q0.min_angle_deg);
  }
  printf("capped surface: %d triangles, %.4f mL, mean edge %.3f mm, min angle %.2f deg\n", (int)c.ntri, (double)q.volume_mL, (double)q.mean_edge_mm, (double)q.min_angle_deg);
  PetscCall(HtMeshOptions_Default(&mo));
  PetscCall(HtMeshOptions_SetFromOptions(&mo, NULL));
  PetscCall(HtMesh_Generate(&c, &mo, "tube.msh", &m));
  printf("mesh: %d nodes, %d tets, %d boundary triangles, volume %.4f mL, dihedral %.2f..%.2f deg, radius ratio min %.3f mean %.3f, edges %.3f..%.3f mm\n", (int)m.nnodes, (int)m.ntet, (int)m.nbtri, (double)m.q.volume_mL, (double)m.q.min_dihedral_deg, (double)m.q.max_dihedral_deg, (double)m.q.min_radius_ratio, (double)m.q.mean_radius_ratio, (double)m.q.min_edge_mm, (double)m.q.max_edge_mm);
  HT_CHECK_CLOSE(m.q.volume_mL, q.volume_mL, 0.01, 0, "mesh volume vs capped surface volume (mL)");
  {
    PetscReal d[3], L;
    for (int k = 0; k < 3; k++) d[k] = c.caps[1].centre[k] - c.caps[0].centre[k];
    L = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    printf("mesh volume vs pi r^2 L: %+.2f %%\n", 100 * (m.q.volume_mL / (PETSC_PI * 25 * L / 1000) - 1));
    HT_CHECK_CLOSE(m.q.volume_mL, PETSC_PI * 25 * L / 1000, 0.02, 0, "mesh volume vs pi r^2 L (mL)");
  }
  HT_CHECK(m.q.min_dihedral_deg > 5.0, "min dihedral %.2f deg", (double)m.q.min_dihedral_deg);
  HT_CHECK(m.nbtri == c.ntri, "boundary triangles %d vs surface %d", (int)m.nbtri, (int)c.ntri);
  HT_CHECK(m.nnames == 3 && !strcmp(m.names[0], "wall") && !strcmp(m.names[1], "inlet") && !strcmp(m.names[2], "outlet_1"), "names");
  PetscCall(CheckPlex("tube.msh", &m));
  mo.msh_version = 2;
  PetscCall(HtMesh_Generate(&c, &mo, "tube_v2.msh", &m2));
  PetscCall(CheckPlex("tube_v2.msh", &m2));
  /* a surface with a hole is refused with a one-line reason */
  PetscCall(HtMesh_Destroy(&m2));
  c.ntri--;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  PetscErrorCode ierr = HtMesh_Generate(&c, &mo, "bad.msh", &m2);
  PetscCall(PetscPopErrorHandler());
  c.ntri++;
  printf("open surface: HtMesh_Generate returned %d\n", (int)ierr);
  HT_CHECK(ierr == PETSC_ERR_USER_INPUT, "open surface must be refused");
  PetscCall(HtMesh_Destroy(&m));
  PetscCall(HtMesh_Destroy(&m2));
  PetscCall(HtSurface_Destroy(&s));
  PetscCall(HtSurface_Destroy(&c));
  PetscCall(HtNetwork_Destroy(&net));
  PetscCall(HtLabels_Free(&l));
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
