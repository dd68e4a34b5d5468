/* Planning on bad input: each call must fail with the right error code and a one-line message that
 * names the object, and leave no output behind. */
#include <htplan.h>
#include <httest.h>
#include "plan_testnet.h"

#define EXPECT_ERROR(call, code, word) \
  do { \
    PetscErrorCode _e; \
    HtError_Clear(); \
    _e = (call); \
    const char *_m = HtError_LastMessage(); \
    printf("%-60s -> code %d: %s\n", #call, (int)_e, _m); \
    HT_CHECK(_e == (code), "%s: error code %d, expected %d", #call, (int)_e, (int)(code)); \
    HT_CHECK(strstr(_m, word) != NULL, "%s: message '%s' does not name '%s'", #call, _m, word); \
    HT_CHECK(strchr(_m, '\n') == NULL, "%s: message is not one line", #call); \
  } while (0)

static PetscErrorCode Run(void)
{
  HtNetwork    net, tmp;
  HtPhysiology ph;
  HtLesion    *les, bad;
  PetscInt     nl;
  HtOutletSet  bcs;
  HtModelMap   map;
  cJSON       *model = NULL;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  PetscCall(TestMakeTube(&net, 120, 0.5, 5, 0.5, 60, 20));
  PetscCall(HtPlan_FindLesions(&net, 0.2, &nl, &les));
  PetscCall(HtOutletSet_CreateFixed(&net, 100, 1e-4, 1000, 0, &bcs));
  PetscCall(HtError_PushHandler());

  EXPECT_ERROR(HtPlan_FindLesions(&net, 1.5, &nl, &les), PETSC_ERR_USER_INPUT, "min_severity");
  PetscCall(HtNetwork_Clone(&net, &tmp));
  EXPECT_ERROR(HtPlan_ApplyStent(&tmp, &les[0], 1.5), PETSC_ERR_USER_INPUT, "success");
  bad     = les[0];
  bad.seg = 7;
  EXPECT_ERROR(HtPlan_ApplyStent(&tmp, &bad, 1.0), PETSC_ERR_USER_INPUT, "segment 7");
  EXPECT_ERROR(HtPlan_ApplyBypass(&tmp, 0, 10, 0, 120, 4, 0, NULL), PETSC_ERR_USER_INPUT, "outlet");
  EXPECT_ERROR(HtPlan_ApplyBypass(&tmp, 0, 10, 0, 100, 4, 50, NULL), PETSC_ERR_USER_INPUT, "shorter");
  EXPECT_ERROR(HtPlan_ApplyBypass(&tmp, 0, 10, 0, 100, -1, 0, NULL), PETSC_ERR_USER_INPUT, "radius");
  EXPECT_ERROR(HtPlan_ApplyBand(&tmp, 0, 10, 20, 1.5), PETSC_ERR_USER_INPUT, "factor");
  PetscCall(HtNetwork_Destroy(&tmp));

  ph.heart_rate_bpm = 0;
  EXPECT_ERROR(HtPhysiology_Check(&ph), PETSC_ERR_USER_INPUT, "heart_rate_bpm");
  EXPECT_ERROR(HtPlan_BuildModel(&net, &ph, &bcs, NULL, &model, &map), PETSC_ERR_USER_INPUT, "heart_rate_bpm");
  PetscCall(HtPhysiology_Default(&ph));
  ph.mean_pressure_mmHg = -3;
  EXPECT_ERROR(HtPhysiology_Check(&ph), PETSC_ERR_USER_INPUT, "mean_pressure_mmHg");
  PetscCall(HtPhysiology_Default(&ph));
  {
    PetscReal split[1] = {0.9};
    HtOutletSet b2;
    EXPECT_ERROR(HtPlan_TuneOutlets(&net, &ph, split, NULL, &b2), PETSC_ERR_USER_INPUT, "sum");
    PetscCall(HtOutletSet_Destroy(&b2));
  }
  /* outlet BC that does not match the network */
  bcs.bc[0].node = 0;
  EXPECT_ERROR(HtPlan_BuildModel(&net, &ph, &bcs, NULL, &model, &map), PETSC_ERR_USER_INPUT, "outlet");
  bcs.bc[0].node = 1;
  bcs.bc[0].Rd_cgs = 0;
  EXPECT_ERROR(HtPlan_BuildModel(&net, &ph, &bcs, NULL, &model, &map), PETSC_ERR_USER_INPUT, "Rd");
  bcs.bc[0].Rd_cgs = 1000;
  /* a segment running upstream (from the outlet side into a junction) */
  {
    HtNetwork y;
    HtOutletSet b3;
    PetscCall(TestMakeY(&y, 50, 6, 40, 20, 4, 3));
    PetscCall(HtOutletSet_CreateFixed(&y, 100, 1e-4, 1000, 0, &b3));
    PetscInt t = y.segs[2].node[0];
    y.segs[2].node[0] = y.segs[2].node[1];
    y.segs[2].node[1] = t;
    EXPECT_ERROR(HtPlan_BuildModel(&y, &ph, &b3, NULL, &model, &map), PETSC_ERR_USER_INPUT, "right");
    PetscCall(HtOutletSet_Destroy(&b3));
    PetscCall(HtNetwork_Destroy(&y));
  }
  /* a region far from the network */
  bad = les[0];
  bad.x0_mm[0] = bad.x1_mm[0] = 500;
  EXPECT_ERROR(HtPlan_BuildModel(&net, &ph, &bcs, &bad, &model, &map), PETSC_ERR_USER_INPUT, "region");
  PetscCall(HtModelMap_Destroy(&map));
  /* unwritable model path: nothing left behind */
  PetscCall(HtPlan_BuildModel(&net, &ph, &bcs, NULL, &model, &map));
  EXPECT_ERROR(HtPlan_WriteModel("no_such_dir/x/model.json", model), PETSC_ERR_FILE_OPEN, "no_such_dir/x/model.json");
  {
    PetscBool ex, isdir;
    PetscCall(HtPath_Exists("no_such_dir/x/model.json.tmp", &ex, &isdir));
    HT_CHECK(!ex, "temporary file left behind");
  }
  {
    HtScoring sc;
    PetscCall(HtScoring_Default(&ph, &sc));
    EXPECT_ERROR(HtScoring_SetWeight(&sc, "pressure_drop_peak", 0.5), PETSC_ERR_USER_INPUT, "pressure_drop_peak");
    EXPECT_ERROR(HtScoring_SetWeight(&sc, "power_loss_mW", -1), PETSC_ERR_USER_INPUT, "power_loss_mW");
  }
  PetscCall(HtError_PopHandler());
  cJSON_Delete(model);
  PetscCall(HtModelMap_Destroy(&map));
  PetscCall(HtOutletSet_Destroy(&bcs));
  PetscCall(PetscFree(les));
  PetscCall(HtNetwork_Destroy(&net));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
