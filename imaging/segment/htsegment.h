/* Automatic blood-pool segmentation of contrast-enhanced CT (CTA), no hand-placed seed.
 *
 * Output labels (names set with HtLabels_SetName):
 *   1 "aorta"            ascending aorta, arch, descending aorta and the first part of the branches
 *                        leaving it; a clean tube up to the aortic root (a centerline is extracted
 *                        from this label)
 *   2 "heart"            cardiac blood pool (chambers)
 *   3 "pulmonary_artery" pulmonary trunk / arteries when separable from the heart
 *
 * Method (numbers printed by tests/segment):
 *   1. intensities: soft-tissue and contrast-blood modes of the smoothed histogram; threshold
 *      halfway between them (the half-level edge, so volumes are unbiased); upper limit
 *      max(700, blood + 250) HU;
 *   2. bone: large dense components (>= 2 mL above the upper limit), closed, marrow holes
 *      filled per slice, grown by 1.5 mm. Small dense components mostly surrounded by contrast
 *      blood (undiluted contrast, calcium inside the vessel outline) are blood-pool candidates;
 *   3. seed: round bright discs on axial slices (in-slice distance map, roundness), linked over
 *      slices into vertical tubes; the longest (ties: most posterior) is the descending aorta;
 *   4. blood pool: opening with a ~1.5 mm ball, component of the seed, small holes filled, the
 *      half-level rim restored;
 *   5. separation: marker watershed of the 3D distance map (thick to thin, FIFO on plateaus).
 *      Markers: the descending tube and an ascending tube (anterior, similar radius, joined to
 *      the seed through passages wider than 40 % of the aorta radius) -> aorta; chamber cores
 *      (thicker than max(1.5 r, r + 6 mm)) -> heart. The aorta is cut where it meets the chambers
 *      (annulus neck); heart voxels farther than core radius + 10 mm from a core (pulmonary
 *      veins into the lungs) stay unlabelled. The aorta keeps only its component of the seed.
 *   6. right heart + pulmonary artery: the largest remaining pool (>= 30 mL, within 15 mm of the
 *      heart label) is split the same way (cores relative to its own thickness; the longest
 *      aorta-sized tube in it = pulmonary trunk, kept within 3 trunk radii; only its upper
 *      half marks the trunk: its lower part is the right-ventricular outflow tract, as round
 *      as the trunk, below the pulmonary valve; what the trunk floods below its marker joins
 *      the heart).
 *   7. aorta outline next to a false lumen (thick regions between 25 % of the tissue-to-blood
 *      step and the threshold, grown by 4 mm; elsewhere nothing changes): a one-voxel layer
 *      down to 30 % of the step where the outside is enhanced (the intimal flap is thinner
 *      than the blur), and a closing with a 4 mm ball (flap); no enclosed cavities. Applying
 *      these everywhere merges branch origins with neighbouring veins (broken centerlines).
 *
 * Not handled: non-contrast CT (error), the false lumen of a dissection below the threshold
 * (left out), calcified plaque on the outer wall (labelled only when enclosed by contrast).
 *
 * The input volume may have any axis-aligned orientation (sagittal/coronal stacks are segmented
 * on an axially permuted copy); the labels come back on exactly the input grid. */
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
  PetscReal seed_mm[3];      /* LPS mm of the seed (middle of the longest aorta-like tube)    */
  PetscReal aorta_radius_mm; /* median equal-area lumen radius along that tube             */
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
/* Options database: -seg_min_HU, -seg_max_HU, -seg_verbose, -seg_separate; tuning (rarely
 * needed): -seg_rim <mm>, -seg_rim_frac <0..1> (rim level, 0.5 = half level), -seg_rcore <mm>,
 * -seg_rcore_rh <mm>, -seg_reach <mm>, -seg_flap_frac <0..1>, -seg_aorta_close <mm> (0 = off),
 * -seg_fl_frac <0..1>, -seg_fl_grow <mm> (false-lumen zone),
 * -seg_pa_keep <0..1> (upper fraction of the pulmonary tube used as PA marker). */
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
