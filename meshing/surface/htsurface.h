/* Triangulated vessel surface: label map -> watertight wall surface -> flat caps at the network's
 * inlet/outlets. VTK is hidden behind this plain C header (surface.cxx).
 *
 * Coordinates are LPS mm. Triangles are oriented with outward normals (right-hand rule).
 * Tags (per triangle): 0 wall, 1 inlet cap, 1+k outlet cap k (k = 1.. in network order of outlet nodes).
 * caps[c] describes the cap whose tag is c+1. */
#pragma once
#include <htvolume.h>
#include <htnetwork.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  PetscReal gauss_sigma_vox;  /* Gaussian smoothing of the binary mask before contouring, voxels (0: none)     */
  PetscInt  smooth_iter;      /* windowed-sinc iterations (0: no smoothing)                                    */
  PetscReal smooth_passband;  /* windowed-sinc pass band (normalised coordinates; small = smoother)             */
  PetscReal decimate;         /* fraction of triangles to remove, 0 <= decimate < 1 (0: none)                  */
  PetscInt  target_triangles; /* if > 0, decimate to about this many triangles instead (never refines)         */
  PetscBool keep_largest;     /* keep only the largest connected component (default true)                      */
} HtSurfaceOptions;

typedef struct {
  char      name[32];    /* "inlet", "outlet_1", ...                                 */
  PetscInt  tag;         /* triangle tag of this cap: 1 inlet, 1+k outlet k          */
  PetscInt  node;        /* network node the cap belongs to                          */
  PetscReal centre[3];   /* area centroid of the cap, LPS mm                         */
  PetscReal normal[3];   /* unit outward normal (points out of the fluid)            */
  PetscReal area_mm2;    /* cap area                                                 */
  PetscReal radius_mm;   /* equivalent radius sqrt(area/pi)                          */
} HtSurfaceCap;

typedef struct {
  PetscInt      npts, ntri;
  PetscReal    *x;     /* 3*npts, LPS mm                                      */
  PetscInt     *tri;   /* 3*ntri, vertex ids, outward orientation              */
  PetscInt     *tag;   /* ntri: 0 wall, 1 inlet, 1+k outlet k                  */
  PetscInt      ncaps; /* caps[c].tag == c+1                                   */
  HtSurfaceCap *caps;
} HtSurface;

typedef struct {
  PetscInt  npts, ntri;
  PetscInt  boundary_edges;    /* edges used by one triangle (0 = watertight)          */
  PetscInt  nonmanifold_edges; /* edges used by > 2 triangles (0 = manifold)            */
  PetscInt  inconsistent_edges;/* edges traversed twice in the same direction (bad orientation) */
  PetscInt  components;        /* edge-connected components                             */
  PetscInt  euler;             /* V - E + F (2 for a closed genus-0 surface)            */
  PetscReal volume_mL;         /* enclosed volume (divergence theorem; meaningful if watertight) */
  PetscReal area_mm2;          /* total area                                            */
  PetscReal min_edge_mm, max_edge_mm, mean_edge_mm;
  PetscReal bad_x[3];          /* midpoint of the first boundary / non-manifold edge, LPS mm */
  PetscReal min_angle_deg;     /* smallest triangle angle (slivers make bad tetrahedra)  */
} HtSurfaceQuality;

/* Defaults: sigma 0.6 voxel, 20 sinc iterations, pass band 0.1, no decimation, keep largest. */
PetscErrorCode HtSurfaceOptions_Default(HtSurfaceOptions *o);
/* Read -<prefix>surface_sigma, _smooth_iter, _passband, _decimate, _target_triangles, _keep_largest. */
PetscErrorCode HtSurfaceOptions_SetFromOptions(HtSurfaceOptions *o, const char *prefix);

/* Surface of the union of the voxels whose label is one of values[0..nvalues-1]. o may be NULL
 * (defaults). The surface is in LPS mm (grid direction honoured), all tags 0, no caps.
 * Error PETSC_ERR_USER_INPUT if no voxel carries the labels. */
PetscErrorCode HtSurface_FromLabels(const HtLabels *lab, const int *values, PetscInt nvalues, const HtSurfaceOptions *o, HtSurface *s);
/* Measure topology and geometry without raising (q may be inspected on any surface). */
PetscErrorCode HtSurface_Quality(const HtSurface *s, HtSurfaceQuality *q);
/* Measure (q may be NULL) and raise PETSC_ERR_USER_INPUT unless watertight, manifold, consistently
 * oriented and one component: "surface not watertight: 12 boundary edges near (x, y, z) mm". */
PetscErrorCode HtSurface_Check(const HtSurface *s, HtSurfaceQuality *q);
/* Flat caps at the network's inlet and outlet nodes: the closed surface s (as HtSurface_FromLabels
 * makes it) is cut by the plane perpendicular to the end tangent, inset end radii inside the end
 * (HtSurface_SetCapInset / -ht_cap_inset, default 0.75); the end piece beyond the plane (triangles connected
 * to the end; if the plane also cuts a neighbouring vessel, only those within 2 radii of the axis) is
 * removed and the opening closed by a planar cap sharing the wall's rim vertices (concentric rings,
 * or ear clipping when the outline is not star-shaped). capped receives a new watertight surface with
 * tags and caps[]; it is checked (HtSurface_Check) before returning. Caps are ordered: inlet first
 * (tag 1), then outlets in network node order (tag 1+k, name "outlet_k"). Errors name the network
 * node ("cap at network node outlet_2: ..."). On error capped may hold partial data: Destroy it. */
PetscErrorCode HtSurface_Cap(const HtSurface *s, const HtNetwork *net, HtSurface *capped);
/* Distance of the cutting plane from the network end, in units of the end radius (default 0.75,
 * option -ht_cap_inset). */
PetscErrorCode HtSurface_SetCapInset(PetscReal radii);
PetscErrorCode HtSurface_Copy(const HtSurface *src, HtSurface *dst);
/* Frees arrays and zeroes the struct; safe on a zeroed struct. */
PetscErrorCode HtSurface_Destroy(HtSurface *s);

#ifdef __cplusplus
}
#endif
