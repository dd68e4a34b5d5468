/* Tetrahedral volume mesh of the capped vessel surface, built with Gmsh (C API) behind this header.
 *
 * Boundary tags are the surface tags: 0 wall, 1 inlet, 1+k outlet k; names[tag] is "wall", "inlet",
 * "outlet_k". In the written .msh file the 2D physical group of surface tag t has physical id
 * HT_MESH_FACE_ID(t) = t + 1 (Gmsh physical ids must be > 0) and name names[t]; the 3D physical group
 * "fluid" has id 1. PETSc's DMPlexCreateFromFile turns them into labels "Face Sets" (values t+1) and
 * "Cell Sets" (value 1). Coordinates LPS mm. */
#pragma once
#include <htsurface.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HT_MESH_FACE_ID(tag) ((tag) + 1)
#define HT_MESH_FLUID_ID     1

typedef struct {
  PetscReal size_mm;    /* largest interior edge, mm (<= 0: 2 x mean surface edge); the surface
                           triangles are kept as given (resolution is set by HtSurfaceOptions)   */
  PetscBool optimize;   /* Gmsh tetrahedral optimisation (default true)                          */
  PetscBool netgen;     /* additionally Netgen optimisation (default false; Debian 12 Gmsh lacks it: error) */
  PetscBool verbose;    /* Gmsh terminal output                                                 */
  PetscInt  msh_version;/* 2 (MSH 2.2) or 4 (MSH 4.1, default)                                   */
} HtMeshOptions;

typedef struct {
  PetscInt  ntet;
  PetscReal min_dihedral_deg, max_dihedral_deg;
  PetscReal min_radius_ratio, mean_radius_ratio; /* 3 r_in / r_circ, 1 for a regular tet */
  PetscReal volume_mL;                            /* sum of tet volumes                   */
  PetscReal min_edge_mm, max_edge_mm;
  PetscInt  inverted;                             /* tets with non-positive volume        */
} HtMeshQuality;

typedef struct {
  PetscInt      nnodes, ntet, nbtri;
  PetscReal    *x;     /* 3*nnodes, LPS mm                          */
  PetscInt     *tet;   /* 4*ntet, positive orientation              */
  PetscInt     *btri;  /* 3*nbtri boundary triangles                */
  PetscInt     *btag;  /* nbtri: surface tag (0 wall, 1 inlet, ...) */
  PetscInt      nnames;
  char        **names; /* nnames: tag -> "wall", "inlet", "outlet_1", ... */
  HtMeshQuality q;
} HtMesh;

PetscErrorCode HtMeshOptions_Default(HtMeshOptions *o);
/* -<prefix>mesh_size_mm, _optimize, _netgen, _verbose, _msh_version */
PetscErrorCode HtMeshOptions_SetFromOptions(HtMeshOptions *o, const char *prefix);
/* Mesh the interior of the capped, tagged, watertight surface; write msh_path (if not NULL) and fill m
 * (including m->q). o may be NULL (defaults). The surface triangles become the mesh boundary unchanged
 * (so the mesh volume equals the surface's enclosed volume); control the boundary resolution with
 * HtSurfaceOptions (target_triangles). Serial: call it on one rank. Gmsh is initialised on the first
 * call and finalised by PetscFinalize. Triangles with angles below ~3 degrees can make Gmsh's 3D
 * refinement very slow: HtSurface_FromLabels and HtSurface_Cap already remove most slivers; a warning
 * is logged when the input still has them. On error m may hold partial data: HtMesh_Destroy it. */
PetscErrorCode HtMesh_Generate(const HtSurface *capped, const HtMeshOptions *o, const char *msh_path, HtMesh *m);
/* Quality computed from m's tets (not from Gmsh). */
PetscErrorCode HtMesh_Quality(const HtMesh *m, HtMeshQuality *q);
PetscErrorCode HtMesh_Destroy(HtMesh *m);

#ifdef __cplusplus
}
#endif
