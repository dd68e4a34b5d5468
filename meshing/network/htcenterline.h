/* Centerline extraction: label map region -> vessel network (HtNetwork).
 *
 * Method (see centerline.c for the reasons): largest 26-connected component of the region, enclosed
 * cavities filled; exact Euclidean distance map in mm; TEASAR skeleton (shortest-path tree from a
 * root end with a cost that penalises closeness to the wall), which is a tree by construction, so
 * noise loops cannot appear (a true loop, e.g. the two lumens of a dissection, is cut open).
 * Pruning of terminal branches: shorter than prune_ratio x junction radius; tip inside or beside the
 * lumen of the rest of the tree (second path through one wide lumen, false lumen); lumen section
 * rarely a compact disk (min_clean_fraction: sheets and fringes of a rough segmentation). Junctions
 * joined by a segment shorter than half their radius are merged; a junction sits at the centre of the
 * largest inscribed sphere near the branch point. Open ends: thin tails and the part within one
 * lumen radius of the end are cut, the rest is re-centred, then extended straight to the end of the
 * lumen or the field-of-view border. Points are smoothed, resampled every resample_mm, re-centred on
 * the centroid of the least-area lumen section (not on the steep flank of a narrowing), and the radius
 * is sqrt(A / pi) of that section; where the section is not a compact disk (junction zones) the
 * radius is interpolated between the neighbouring clean sections. The inlet is the open end nearest
 * inlet_hint_mm when given, else the end with the largest radius; segments are oriented downstream
 * by BFS from the inlet. Node names: "inlet", "outlet_1", ..., "junction_1", ...; segment names
 * "seg_0", ... in BFS order (seg_0 starts at the inlet). */
#pragma once
#include <htnetwork.h>
#include <htvolume.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  PetscReal prune_ratio;       /* terminal branch pruned if length < prune_ratio * radius at its junction (2.0) */
  PetscReal min_branch_mm;     /* terminal branches shorter than this are always pruned (3 mm)                  */
  PetscReal resample_mm;       /* spacing of output centerline samples (1 mm)                                   */
  PetscReal smooth_mm;         /* moving-average window (full width) applied to skeleton points (3 mm)          */
  PetscReal invalidate_scale;  /* TEASAR: voxels within scale * r + invalidate_const_mm of a path are covered (1.5)*/
  PetscReal invalidate_const_mm; /* (2 mm)                                                                      */
  PetscBool area_radius;       /* radius from cross-section area (PETSC_TRUE) else from the distance map        */
  PetscBool recenter;          /* move samples to the cross-section centroid (PETSC_TRUE)                       */
  PetscBool have_inlet_hint;   /* inlet_hint_mm is valid                                                        */
  PetscReal inlet_hint_mm[3];  /* LPS mm, e.g. heart centroid                                                   */
  PetscInt  max_branches;      /* safety bound on TEASAR paths (1000)                                           */
  PetscReal min_clean_fraction; /* terminal branches whose sections are compact disks at fewer than this fraction
                                 * of samples are not vessels and are pruned (0.25; needs area_radius)          */
} HtCenterlineOptions;

typedef struct {
  PetscInt  region_voxels;    /* voxels of the label region                                                   */
  PetscInt  used_voxels;      /* voxels of the largest component after cavity filling                          */
  PetscInt  ncomponents;      /* 26-connected components of the region                                         */
  PetscInt  filled_voxels;    /* enclosed background voxels filled                                             */
  PetscInt  npaths;           /* TEASAR paths traced                                                           */
  PetscInt  npruned;          /* terminal branches pruned                                                      */
  PetscInt  nmerged;          /* junction pairs merged                                                          */
  PetscInt  nends, njunctions, nsegments;
  PetscReal max_radius_mm;    /* largest distance-map radius in the region                                     */
  PetscReal total_length_mm;
  PetscReal inlet_hint_dist_mm; /* distance inlet node - hint (-1 without hint)                                */
} HtCenterlineReport;

PetscErrorCode HtCenterline_DefaultOptions(HtCenterlineOptions *o);
/* Options -<prefix>centerline_prune_ratio, _min_branch_mm, _resample_mm, _smooth_mm, _invalidate_scale,
 * _invalidate_const_mm, _area_radius, _recenter, _min_clean_fraction, and -<prefix>centerline_inlet_hint x,y,z
 * (prefix may be NULL). */
PetscErrorCode HtCenterline_SetFromOptions(HtCenterlineOptions *o, const char *prefix);
/* Centerlines of the region {lab == value} (value < 0: any non-zero), split into segments at junctions,
 * oriented from the inlet downstream; outlets and inlet are the open ends. net must be Init-ed (its
 * previous content is destroyed). rep may be NULL. */
PetscErrorCode HtCenterline_Extract(const HtLabels *lab, int value, const HtCenterlineOptions *o, HtNetwork *net, HtCenterlineReport *rep);

/* Building blocks, exposed for tests and other stages. */
/* Exact squared Euclidean distance (mm^2) of every voxel with mask != 0 to the nearest voxel centre with
 * mask == 0 (Felzenszwalb-Huttenlocher, separable, anisotropic spacing); voxels outside the mask get 0.
 * Outside the grid counts as background only if border_is_background. d2 has n[0]*n[1]*n[2] entries. */
PetscErrorCode HtDistance_EDT(const HtGrid *g, const uint8_t *mask, PetscBool border_is_background, float *d2);

#ifdef __cplusplus
}
#endif
