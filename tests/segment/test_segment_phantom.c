/* Segmentation of the synthetic aorta-coarctation phantom against its exact labels
 * (HtPhantom_TrueLabels: 1 aorta + branches, 2 LV blood pool). */
#include <htsegment.h>
#include <htphantom.h>
#include <htvolumeio.h>
#include "httest.h"

static PetscErrorCode Run(void)
{
  HtPhantom        ph;
  HtGrid           g;
  HtVolume         ct;
  HtLabels         truth, seg;
  HtSegmentOptions o;
  HtSegmentReport  rep;
  PetscReal        dice, dice_ao, dice_lv, prec_ao;
  PetscFunctionBeginUser;
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_DefaultGrid(&ph, &g));
  PetscInt seed = 7; /* noise seed; -phantom_seed to try others */
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-phantom_seed", &seed, NULL));
  PetscCall(HtPhantom_Render(&ph, &g, (unsigned)seed, &ct));
  PetscCall(HtPhantom_TrueLabels(&ph, &g, &truth));
  PetscCall(HtSegment_DefaultOptions(&o));
  PetscCall(HtSegment_SetFromOptions(&o));
  PetscCall(HtSegment_BloodPool(&ct, &o, &seg, &rep));
  PetscCall(HtSegment_Dice(&seg, -1, &truth, -1, &dice));
  PetscCall(HtSegment_Dice(&seg, HT_SEG_AORTA, &truth, 1, &dice_ao));
  PetscCall(HtSegment_Dice(&seg, HT_SEG_HEART, &truth, 2, &dice_lv));
  PetscCall(HtSegment_Overlap(&seg, HT_SEG_AORTA, &truth, 1, &prec_ao));
  printf("phantom %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ": threshold %.0f HU (tissue %.0f, blood %.0f, bone > %.0f), seed (%.1f, %.1f, %.1f) mm, aorta radius %.1f mm\n", g.n[0], g.n[1], g.n[2], rep.threshold_HU, rep.tissue_HU, rep.blood_HU, rep.bone_HU, rep.seed_mm[0], rep.seed_mm[1], rep.seed_mm[2], rep.aorta_radius_mm);
  printf("phantom volumes: aorta %.1f mL (true %.1f), heart %.1f mL (true LV %.1f)\n", rep.volume_mL[1], HtLabels_Volume_mL(&truth, 1), rep.volume_mL[2], HtLabels_Volume_mL(&truth, 2));
  printf("phantom Dice: blood pool %.4f, aorta %.4f, LV %.4f; aorta precision %.4f\n", dice, dice_ao, dice_lv, prec_ao);
  HT_CHECK(dice >= 0.90, "blood-pool Dice %.4f < 0.90", dice);
  HT_CHECK(dice_ao >= 0.85, "aorta Dice %.4f < 0.85", dice_ao);
  HT_CHECK(dice_lv >= 0.85, "LV Dice %.4f < 0.85", dice_lv);
  {
    const char *dbg = getenv("HT_SEG_DEBUG_OUT");
    if (dbg) PetscCall(HtLabels_WriteNIfTI(&seg, dbg));
  }
  PetscCall(HtLabels_Free(&seg));
  PetscCall(HtLabels_Free(&truth));
  PetscCall(HtVolume_Free(&ct));
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
