/* VTK XML writers for ParaView. Every file is written with inline binary data (never appended:
 * ParaView 5.11 on Debian 12 cannot read appended data). Coordinates LPS mm.
 *
 *   .vti  image data with Origin, Spacing and Direction (the grid's dir matrix, VTK 9.1)
 *   .vtp  surface (cell data "cap_id": 0 wall, 1 inlet, 1+k outlet k) or network polylines
 *   .vtu  tetrahedra followed by the boundary triangles; cell data "region" (0 fluid tet,
 *         1 boundary triangle) and "boundary_id" (-1 on tets, surface tag on triangles)
 *   .pvd  time collection
 *
 * Network point order (HtVTK_WriteNetwork arrays): segment 0's samples (segs[0].npts points, in
 * order from node[0] to node[1]), then segment 1's samples, ...; junction points are therefore
 * repeated once per segment. Total = sum of segs[s].npts. */
#pragma once
#include <htvolume.h>
#include <htnetwork.h>
#include <htsurface.h>
#include <htmesh.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char      *name;  /* e.g. "pressure_mmHg" */
  PetscInt         ncomp; /* 1 scalar, 3 vector */
  const PetscReal *val;   /* ncomp * (total network points), network point order */
} HtVTKArray;

PetscErrorCode HtVTK_WriteVolume(const char *path, const HtVolume *v, const char *array);
PetscErrorCode HtVTK_WriteLabels(const char *path, const HtLabels *l, const char *array);
PetscErrorCode HtVTK_WriteSurface(const char *path, const HtSurface *s);
PetscErrorCode HtVTK_WriteMesh(const char *path, const HtMesh *m);
/* Number of points HtVTK_WriteNetwork expects per array component (sum of segment samples). */
PetscInt       HtVTK_NetworkPointCount(const HtNetwork *net);
PetscErrorCode HtVTK_WriteNetwork(const char *path, const HtNetwork *net, PetscInt narrays, const HtVTKArray *arrays);
/* files[i] are written as given (use paths relative to the .pvd's folder). */
PetscErrorCode HtVTK_WritePVD(const char *path, PetscInt n, const char *const *files, const PetscReal *times);

#ifdef __cplusplus
}
#endif
