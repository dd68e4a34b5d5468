/* Automatic blood-pool segmentation of contrast-enhanced CT (CTA), no hand-placed seed.
 *
 * Output labels (names set with HtLabels_SetName):
 *   1 "aorta"            ascending aorta, arch, descending aorta and the first part of the branches
 *                        leaving it; a clean tube up to the aortic root (a centerline is extracted
 *                        from this label)
 *   2 "heart"            cardiac blood pool (chambers)
 *   3 "pulmonary_artery" pulmonary trunk / arteries when separable from the heart
 *
 * Method: contrast threshold from the intensity histogram (halfway between the soft-tissue mode
 * and the contrast-blood mode), bone masked, descending aorta found as a round bright disc that
 * persists over several axial slices (distance-map maxima + roundness), region grown from it,
 * thin bridges cut by an opening, holes filled; aorta separated from the (much thicker)
 * chambers with distance-map based openings.
 *
 * The input volume may have any orientation; segmentation is done on the voxel grid and the
 * labels come back on exactly the input grid. */
#pragma once
#include <htvolume.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { HT_SEG_AORTA = 1, HT_SEG_HEART = 2, HT_SEG_PA = 3 };

typedef struct {
  PetscReal threshold_HU;    /* contrast threshold used                                    */
  PetscReal tissue_HU;       /* soft-tissue histogram mode                                 */
  PetscReal blood_HU;        /* contrast-blood histogram mode                              */
  PetscReal bone_HU;         /* voxels above this (and their dilated neighbourhood) = bone */
  PetscReal seed_mm[3];      /* LPS mm of the automatically found descending-aorta seed    */
  PetscReal aorta_radius_mm; /* lumen radius at the seed                                   */
  PetscReal volume_mL[8];    /* volume per label value (index 0 unused)                    */
  PetscInt  nvoxels[8];      /* voxel count per label value                                */
  PetscReal seconds;         /* wall time of the segmentation (information only)           */
} HtSegmentReport;

typedef struct {
  PetscBool verbose; /* HtLog_Info progress lines                                          */
  PetscReal min_HU;  /* override the contrast threshold (NaN = automatic)                  */
  PetscReal max_HU;  /* override the upper blood limit / bone threshold (NaN = automatic)  */
  PetscBool separate;/* split aorta / heart / PA (default true); false: all blood = 1      */
} HtSegmentOptions;

PetscErrorCode HtSegment_DefaultOptions(HtSegmentOptions *o);
/* Options database: -seg_min_HU, -seg_max_HU, -seg_verbose, -seg_separate. */
PetscErrorCode HtSegment_SetFromOptions(HtSegmentOptions *o);
/* labels is allocated here on ct's grid (free with HtLabels_Free). rep may be NULL. */
PetscErrorCode HtSegment_BloodPool(const HtVolume *ct, const HtSegmentOptions *o, HtLabels *labels, HtSegmentReport *rep);
/* Dice 2|A∩B|/(|A|+|B|) of label va in a and vb in b (va/vb < 0: any non-zero). Same grid required. */
PetscErrorCode HtSegment_Dice(const HtLabels *a, int va, const HtLabels *b, int vb, PetscReal *dice);
/* Fraction of voxels of (a, va) that are in (b, vb); e.g. coverage or precision. */
PetscErrorCode HtSegment_Overlap(const HtLabels *a, int va, const HtLabels *b, int vb, PetscReal *frac);

#ifdef __cplusplus
}
#endif
