/* Synthetic straight tube shared by the meshing tests: radius 5 mm, 0.5 mm voxels, on a grid rotated
 * 30 degrees about LPS z and 20 degrees about LPS x (so the direction matrix matters); the tube runs
 * along the k axis through the whole field of view. Network: inlet at slice 0, outlet at the last slice. */
#pragma once
#include <htvolume.h>
#include <htnetwork.h>
#include <math.h>

#define TUBE_R_MM   5.0
#define TUBE_NI     48
#define TUBE_NK     80
#define TUBE_H_MM   0.5
#define TUBE_CI     23.5 /* continuous index of the axis in i and j */

static inline void Tube_Grid(HtGrid *g)
{
  PetscInt  n[3]  = {TUBE_NI, TUBE_NI, TUBE_NK};
  PetscReal o[3]  = {-12.0, 30.0, 100.0}, sp[3] = {TUBE_H_MM, TUBE_H_MM, TUBE_H_MM};
  PetscReal a = PETSC_PI / 6, b = PETSC_PI / 9;
  /* R = Rx(b) * Rz(a); axis a of the grid = column a of R */
  PetscReal Rz[9] = {cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1}, Rx[9] = {1, 0, 0, 0, cos(b), -sin(b), 0, sin(b), cos(b)}, R[9];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++) {
      R[3 * r + c] = 0;
      for (int k = 0; k < 3; k++) R[3 * r + c] += Rx[3 * r + k] * Rz[3 * k + c];
    }
  HtGrid_SetAxisAligned(g, n, o, sp);
  for (int ax = 0; ax < 3; ax++)
    for (int c = 0; c < 3; c++) g->dir[3 * ax + c] = R[3 * c + ax];
}

static inline PetscErrorCode Tube_Labels(HtLabels *l)
{
  HtGrid g;
  PetscFunctionBeginUser;
  Tube_Grid(&g);
  PetscCall(HtLabels_Alloc(l, &g));
  PetscCall(HtLabels_SetName(l, 1, "tube"));
  for (PetscInt k = 0; k < g.n[2]; k++)
    for (PetscInt j = 0; j < g.n[1]; j++)
      for (PetscInt i = 0; i < g.n[0]; i++) {
        PetscReal di = (i - TUBE_CI) * TUBE_H_MM, dj = (j - TUBE_CI) * TUBE_H_MM;
        if (di * di + dj * dj <= TUBE_R_MM * TUBE_R_MM) l->lab[HtGrid_Index(&g, i, j, k)] = 1;
      }
  PetscFunctionReturn(0);
}

/* axis point at continuous slice index k, and unit axis direction (increasing k) */
static inline void Tube_Axis(PetscReal k, PetscReal x[3], PetscReal t[3])
{
  HtGrid    g;
  PetscReal ijk[3] = {TUBE_CI, TUBE_CI, k};
  Tube_Grid(&g);
  HtGrid_IndexToWorld(&g, ijk, x);
  for (int c = 0; c < 3; c++) t[c] = g.dir[6 + c];
}

/* distance of p from the axis line */
static inline PetscReal Tube_RadialDist(const PetscReal p[3])
{
  PetscReal x0[3], t[3], d[3], s = 0, r2 = 0;
  Tube_Axis(0, x0, t);
  for (int c = 0; c < 3; c++) {
    d[c] = p[c] - x0[c];
    s += d[c] * t[c];
  }
  for (int c = 0; c < 3; c++) r2 += (d[c] - s * t[c]) * (d[c] - s * t[c]);
  return sqrt(r2);
}

static inline PetscErrorCode Tube_Network(HtNetwork *net)
{
  PetscInt  n0, n1, npts = TUBE_NK; /* one sample per slice, 0.5 mm apart */
  PetscReal x[3 * TUBE_NK], r[TUBE_NK], t[3];
  PetscFunctionBeginUser;
  PetscCall(HtNetwork_Init(net));
  for (PetscInt k = 0; k < npts; k++) {
    Tube_Axis((PetscReal)k, &x[3 * k], t);
    r[k] = TUBE_R_MM;
  }
  PetscCall(HtNetwork_AddNode(net, &x[0], HT_NODE_INLET, "inlet", &n0));
  PetscCall(HtNetwork_AddNode(net, &x[3 * (npts - 1)], HT_NODE_OUTLET, "outlet_1", &n1));
  PetscCall(HtNetwork_AddSegment(net, n0, n1, npts, x, r, "seg_0", NULL));
  PetscFunctionReturn(0);
}
