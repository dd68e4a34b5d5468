/* The DMNetwork partition must not change the answer: the same models solved on PETSC_COMM_WORLD
 * (vessels split over the ranks) and on PETSC_COMM_SELF (one rank owns everything) give the same
 * probe series to round-off. Models: the Boileau aortic bifurcation (openBF config) and a
 * programmatic 7-vessel tree with reflection, resistance and Windkessel outlets. Run with 2 ranks. */
#include <httest.h>
#include <htoned.h>

static PetscErrorCode BuildTree(HtOneD od)
{
  PetscReal t[64], q[64];

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 64; k++) {
    t[k] = 0.8 * k / 63.0;
    q[k] = 5e-6 + (t[k] < 0.3 ? 60e-6 * PetscSinReal(PETSC_PI * t[k] / 0.3) : 0);
  }
  PetscCall(HtOneD_SetInletFlow(od, 64, t, q));
  for (PetscInt i = 0; i < 7; i++) {
    HtOneDVessel v;
    PetscCall(HtOneD_VesselDefaults(&v));
    PetscCall(PetscSNPrintf(v.label, sizeof v.label, "v%" PetscInt_FMT, i));
    /* binary tree: vessel i goes from node parent(i) to node i+1 */
    v.sn   = i == 0 ? 0 : (i - 1) / 2 + 1;
    v.tn   = i + 1;
    v.L_m  = 0.05 + 0.01 * i;
    v.Rp_m = 5e-3 / (1 + 0.4 * ((i + 1) / 2));
    v.Rd_m = 0.9 * v.Rp_m; /* tapered */
    v.E_Pa = 4e5;
    v.h0_m = i % 2 ? -1 : 0.1 * v.Rp_m; /* empirical thickness on odd vessels */
    v.gamma_profile = 2 + i;
    if (i >= 3) {
      v.outlet = i == 3 ? HT_ONED_END_REFLECTION : i == 4 ? HT_ONED_END_RESISTANCE : HT_ONED_END_WK3;
      v.Rt     = 0.3;
      v.R1_Pa_s_m3 = i == 4 ? 3e9 : 2e8;
      v.R2_Pa_s_m3 = 2e9;
      v.C_m3_Pa    = 3e-10;
    }
    PetscCall(HtOneD_AddVessel(od, &v));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Compare(const char *name, HtOneD a, HtOneD b)
{
  PetscInt  nv;
  PetscReal maxrel = 0;

  PetscFunctionBeginUser;
  PetscCall(HtOneD_GetNumVessels(a, &nv));
  for (PetscInt i = 0; i < nv; i++) {
    const char *lab;
    PetscCall(HtOneD_GetVesselLabel(a, i, &lab));
    for (PetscInt s = 0; s <= 4; s++) {
      PetscInt         n1, n2;
      const PetscReal *p1, *q1, *a1, *p2, *q2, *a2;
      PetscCall(HtOneD_GetProbe(a, lab, 0.25 * s, &n1, NULL, &p1, &q1, &a1));
      PetscCall(HtOneD_GetProbe(b, lab, 0.25 * s, &n2, NULL, &p2, &q2, &a2));
      HT_CHECK(n1 == n2, "%s: sample counts differ", name);
      for (PetscInt k = 0; k < PetscMin(n1, n2); k++) {
        maxrel = PetscMax(maxrel, PetscAbsReal(p1[k] - p2[k]) / PetscAbsReal(p2[k]));
        maxrel = PetscMax(maxrel, PetscAbsReal(a1[k] - a2[k]) / PetscAbsReal(a2[k]));
        maxrel = PetscMax(maxrel, PetscAbsReal(q1[k] - q2[k]) / 1e-4);
      }
    }
  }
  printf("%s: %" PetscInt_FMT " vessels, max relative difference partitioned vs serial = %.3g\n", name, nv, (double)maxrel);
  HT_CHECK(maxrel < 1e-12, "%s: partitioned and serial answers differ by %.3g", name, (double)maxrel);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  char        cfg[PETSC_MAX_PATH_LEN];
  PetscMPIInt size;
  MPI_Comm    comms[2] = {PETSC_COMM_WORLD, PETSC_COMM_SELF};
  HtOneD      od[2];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  printf("ranks: %d\n", (int)size);
  PetscCall(PetscOptionsSetValue(NULL, "-oned_min_cycles", "3"));
  PetscCall(PetscOptionsSetValue(NULL, "-oned_max_cycles", "3"));
  for (PetscInt m = 0; m < 2; m++) {
    for (PetscInt c = 0; c < 2; c++) {
      PetscCall(HtOneD_Create(comms[c], &od[c]));
      if (m == 0) {
        if (!HtTest_RequireData("oned/openbf_models/boileau2015/ibif/ibif.yaml", cfg, sizeof cfg)) {
          PetscCall(HtOneD_Destroy(&od[c]));
          continue;
        }
        PetscCall(HtOneD_LoadOpenBF(od[c], cfg));
      } else PetscCall(BuildTree(od[c]));
      PetscCall(HtOneD_SetFromOptions(od[c]));
      PetscCall(HtOneD_SetUp(od[c]));
      PetscCall(HtOneD_Solve(od[c]));
    }
    if (od[0] && od[1]) PetscCall(Compare(m ? "7-vessel tree" : "aortic bifurcation", od[0], od[1]));
    for (PetscInt c = 0; c < 2; c++) PetscCall(HtOneD_Destroy(&od[c]));
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
