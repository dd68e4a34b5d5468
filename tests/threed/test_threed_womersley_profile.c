/* Womersley inlet profile (complex Bessel series) against the reference u_z(r, t) table of
 * ../shared/data/threed/womersley (mpmath, 30 digits): 11 radii x 24 instants. The waveform's Fourier
 * coefficients come from the reference Q(t) table by a DFT. */
#include <htthreed.h>
#include "womersley_ref.h"

static PetscErrorCode Body(void)
{
  char   ipath[PETSC_MAX_PATH_LEN], ppath[PETSC_MAX_PATH_LEN], line[256];
  WomRef w;
  FILE  *f;
  double maxerr = 0, umax = 0;
  int    rows = 0;

  PetscFunctionBeginUser;
  if (!HtTest_RequireData("threed/womersley/womersley_integrals_cgs.csv", ipath, sizeof ipath)) PetscFunctionReturn(0);
  if (!HtTest_RequireData("threed/womersley/womersley_profile_cgs.csv", ppath, sizeof ppath)) PetscFunctionReturn(0);
  HT_CHECK(!WomRef_Read(ipath, &w), "cannot read %s", ipath);
  f = fopen(ppath, "r");
  HT_CHECK(f != NULL, "cannot open %s", ppath);
  if (!f) PetscFunctionReturn(0);
  if (!fgets(line, sizeof line, f)) line[0] = 0;
  while (fgets(line, sizeof line, f)) {
    double    t, r, uref;
    PetscReal u;
    if (sscanf(line, "%lf,%lf,%lf", &t, &r, &uref) != 3) continue;
    PetscCall(HtThreeD_WomersleyVelocity(2, w.Qre, w.Qim, WOM_T, WOM_R, WOM_MU / WOM_RHO, r, t, &u));
    maxerr = PetscMax(maxerr, fabs(u - uref));
    umax   = PetscMax(umax, fabs(uref));
    rows++;
  }
  fclose(f);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "womersley profile: %d reference points, Q0 %.6f mL/s, |Q1| %.6f mL/s, max |u - u_ref| %.3e cm/s (max |u_ref| %.4f)\n", rows, w.Qre[0], hypot(w.Qre[1], w.Qim[1]), maxerr, umax));
  HT_CHECK(rows == 264, "expected 264 reference rows, got %d", rows);
  HT_CHECK(maxerr <= 1e-5 * umax, "Womersley profile differs from the reference by %g cm/s", maxerr);
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
