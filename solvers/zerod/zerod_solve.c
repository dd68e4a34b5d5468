/* Time integration of the 0D DAE  r(y, ydot, t) = E ydot + F y + c = 0.
 *
 * Default ("alpha_sv"): generalized-alpha (Jansen, Whiting & Hulbert 2000) for first-order systems,
 * written here (Newton loop with KLU sparse LU, see GAStep) because the reference results of svZeroDSolver depend on
 * details PETSc's TSALPHA does differently: svZeroDSolver starts with ydot(0) = 0 (or the given
 * initial_condition_d) instead of computing a consistent ydot0 with a first backward-Euler step,
 * predicts y_{n+1} = y_n, ydot_{n+1} = (1 - 1/gamma) ydot_n, evaluates every parameter at
 * t_n + alpha_f dt, and stops Newton when max|r| < absolute_tolerance (checked before each update,
 * at most maximum_nonlinear_iterations residual evaluations). With
 *   alpha_m = (3 - rho)/(2 (1 + rho)),  alpha_f = 1/(1 + rho),  gamma = 1/2 + alpha_m - alpha_f,
 * the Newton unknown is x = ydot_{n+1}:
 *   y_{n+1} = y_n + dt ((1 - gamma) ydot_n + gamma x),
 *   r( y_n + alpha_f (y_{n+1} - y_n), ydot_n + alpha_m (x - ydot_n) ) = 0,
 *   J = alpha_m dr/dydot + alpha_f gamma dt dr/dy.
 * Any PETSc TS type can be selected instead with -zerod_ts_type (IFunction/IJacobian form).
 *
 * The sequence of steps, the steady initial condition (31 steps of period/10 on the model with
 * mean inputs and zero Windkessel capacitances), the output selection (last cycle or all,
 * output_interval) and the automatic cycle count (use_cycle_to_cycle_error) follow svZeroDSolver. */
#include "zerod_impl.h"
#include <htcore.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <suitesparse/klu.h>

/* KLU state of the alpha_sv Newton solves (int indices: KLU's default interface). */
typedef struct {
  klu_common c;
  int       *ap, *ai;
} HtZDKlu;

void HtZD_Assemble(HtZeroD zd, const PetscReal *y, const PetscReal *yd)
{
  HtZDSys *s = &zd->sys;
  PetscInt n = zd->n;

  PetscArrayzero(s->r, n);
  PetscArrayzero(s->zero_after, n);
  PetscArrayzero(s->Jy, s->ptr[n]);
  PetscArrayzero(s->Jyd, s->ptr[n]);
  for (PetscInt b = 0; b < zd->nblocks; b++) zd->blocks[b].type->eval(&zd->blocks[b], zd->pv, y, yd, s);
}

/* Floating-point noise level of the residual: 16 eps times the largest row sum of |terms| (with
 * shift > 0, TS path: also the rounding of y amplified through ydot = shift (y - ...)). */
static void ResidualFloor(HtZeroD zd, const PetscReal *y, const PetscReal *yd, PetscReal shift)
{
  zd->rfloor = 0.0;
  for (PetscInt i = 0; i < zd->n; i++) {
    PetscReal s = 0.0;
    for (PetscInt k = zd->sys.ptr[i]; k < zd->sys.ptr[i + 1]; k++) {
      PetscInt j = zd->sys.col[k];
      s += PetscAbsReal(zd->sys.Jy[k] * y[j]) + PetscAbsReal(zd->sys.Jyd[k] * yd[j]) + shift * PetscAbsReal(zd->sys.Jyd[k] * y[j]);
    }
    zd->rfloor = PetscMax(zd->rfloor, 16.0 * PETSC_MACHINE_EPSILON * s);
  }
}

/* ---- generalized-alpha on SNES ------------------------------------------------------------ */
static void GAStageValues(HtZeroD zd, const PetscScalar *x)
{
  for (PetscInt i = 0; i < zd->n; i++) {
    PetscReal ynew = zd->yold[i] + zd->dt * ((1.0 - zd->gam) * zd->ydold[i] + zd->gam * x[i]) + zd->ycorr[i];
    zd->yaf[i]     = zd->yold[i] + zd->af * (ynew - zd->yold[i]);
    zd->ydam[i]    = zd->ydold[i] + zd->am * (x[i] - zd->ydold[i]);
  }
}

/* Jacobian = cyd dr/dydot + cy dr/dy on the block sparsity pattern (every block couples all of its
 * equations with all of its variables), stored as AIJ: sparse LU is far cheaper than dense LU. */
static PetscErrorCode FillJacobian(HtZeroD zd, Mat A, PetscReal cyd, PetscReal cy)
{
  PetscInt n = zd->n;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    PetscInt  nc = zd->pat_ptr[i + 1] - zd->pat_ptr[i];
    PetscInt *cols = zd->pat_col + zd->pat_ptr[i];
    for (PetscInt k = 0; k < nc; k++) zd->pat_val[k] = cyd * zd->sys.Jyd[zd->pat_ptr[i] + k] + cy * zd->sys.Jy[zd->pat_ptr[i] + k];
    PetscCall(MatSetValues(A, 1, &i, nc, cols, zd->pat_val, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* Structural pattern: rows = equations, columns = the owning block's variables (+ diagonal). */
static PetscErrorCode BuildPattern(HtZeroD zd)
{
  PetscInt n = zd->n, *cnt;
  PetscInt maxrow = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(n + 1, &zd->pat_ptr));
  PetscCall(PetscCalloc1(n, &cnt));
  for (PetscInt b = 0; b < zd->nblocks; b++)
    for (PetscInt e = 0; e < zd->blocks[b].neq; e++) cnt[zd->blocks[b].eq[e]] += zd->blocks[b].nvar;
  for (PetscInt i = 0; i < n; i++) zd->pat_ptr[i + 1] = zd->pat_ptr[i] + cnt[i];
  PetscCall(PetscMalloc1(zd->pat_ptr[n] ? zd->pat_ptr[n] : 1, &zd->pat_col));
  for (PetscInt i = 0; i < n; i++) cnt[i] = 0;
  for (PetscInt b = 0; b < zd->nblocks; b++) {
    const HtZDBlock *blk = &zd->blocks[b];
    for (PetscInt e = 0; e < blk->neq; e++) {
      PetscInt row = blk->eq[e], *c = zd->pat_col + zd->pat_ptr[row];
      for (PetscInt v = 0; v < blk->nvar; v++) {
        PetscInt col = blk->var[v];
        PetscBool dup = PETSC_FALSE;
        for (PetscInt k = 0; k < cnt[row]; k++) if (c[k] == col) dup = PETSC_TRUE;
        if (!dup) c[cnt[row]++] = col;
      }
    }
  }
  /* compact */
  {
    PetscInt w = 0, *ptr;
    PetscCall(PetscMalloc1(n + 1, &ptr));
    ptr[0] = 0;
    for (PetscInt i = 0; i < n; i++) {
      for (PetscInt k = 0; k < cnt[i]; k++) zd->pat_col[w + k] = zd->pat_col[zd->pat_ptr[i] + k];
      PetscCall(PetscSortInt(cnt[i], zd->pat_col + w));
      w += cnt[i];
      ptr[i + 1] = w;
      maxrow = PetscMax(maxrow, cnt[i]);
    }
    PetscCall(PetscArraycpy(zd->pat_ptr, ptr, n + 1));
    PetscCall(PetscFree(ptr));
  }
  /* Keep only the entries blocks actually add (found by assembling at the initial state and at an
   * arbitrary one): a structurally exact pattern lets KLU's block triangular form and fill-reducing
   * ordering work; entries a block never touches would otherwise be taken as pivots. */
  {
    PetscInt   nnz = zd->pat_ptr[n], w = 0;
    PetscReal *y, *yd;
    PetscCall(PetscCalloc1(nnz ? nnz : 1, &zd->sys.mark));
    PetscCall(PetscMalloc3(n, &zd->sys.r, nnz ? nnz : 1, &zd->sys.Jy, nnz ? nnz : 1, &zd->sys.Jyd));
    PetscCall(PetscMalloc2(n, &y, n, &yd));
    zd->sys.ptr = zd->pat_ptr;
    zd->sys.col = zd->pat_col;
    for (PetscInt pass = 0; pass < 2; pass++) {
      for (PetscInt i = 0; i < n; i++) {
        y[i]  = pass ? 1.0 + 0.37 * (PetscReal)i : zd->y0[i];
        yd[i] = pass ? 0.5 - 0.11 * (PetscReal)i : zd->yd0[i];
      }
      HtZD_UpdateTime(zd, pass ? 0.37 * zd->period : 0.0);
      HtZD_Assemble(zd, y, yd);
    }
    PetscCall(PetscFree2(y, yd));
    for (PetscInt i = 0; i < n; i++) {
      PetscInt start = w;
      for (PetscInt k = zd->pat_ptr[i]; k < zd->pat_ptr[i + 1]; k++)
        if (zd->sys.mark[k]) zd->pat_col[w++] = zd->pat_col[k];
      zd->pat_ptr[i] = start;
      cnt[i]         = w - start;
    }
    zd->pat_ptr[n] = w;
    PetscCall(PetscFree(zd->sys.mark));
    PetscCall(PetscFree3(zd->sys.r, zd->sys.Jy, zd->sys.Jyd));
    maxrow = 0;
    for (PetscInt i = 0; i < n; i++) maxrow = PetscMax(maxrow, cnt[i]);
  }
  PetscCall(PetscMalloc1(maxrow ? maxrow : 1, &zd->pat_val));
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, n, n, 0, cnt, &zd->J));
  for (PetscInt i = 0; i < n; i++) {
    for (PetscInt k = 0; k < cnt[i]; k++) zd->pat_val[k] = 0.0;
    PetscCall(MatSetValues(zd->J, 1, &i, cnt[i], zd->pat_col + zd->pat_ptr[i], zd->pat_val, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(zd->J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(zd->J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(zd->J, MAT_NEW_NONZERO_LOCATION_ERR, PETSC_TRUE));
  PetscCall(PetscFree(cnt));
  PetscFunctionReturn(0);
}

/* svZeroDSolver's stopping rule: max-norm of the residual below absolute_tolerance. Models with
 * large coefficients (coronary resistances of 1e5) can have a floating-point noise floor above that
 * tolerance; once Newton has updated at least once, a residual at that floor is accepted too
 * (iterating further only bounces on rounding errors). */
static PetscErrorCode ConvergenceTest(SNES snes, PetscInt it, PetscReal xnorm, PetscReal gnorm, PetscReal fnorm, SNESConvergedReason *reason, void *ctx)
{
  HtZeroD   zd = (HtZeroD)ctx;
  Vec       F;
  PetscReal finf;

  PetscFunctionBeginUser;
  (void)xnorm;
  (void)gnorm;
  (void)fnorm;
  PetscCall(SNESGetFunction(snes, &F, NULL, NULL));
  PetscCall(VecNorm(F, NORM_INFINITY, &finf));
  if (PetscIsInfOrNanReal(finf)) *reason = SNES_DIVERGED_FNORM_NAN;
  else if (finf < zd->sp.abs_tol) *reason = SNES_CONVERGED_FNORM_ABS;
  else if (it > 0 && zd->rfloor_on && finf <= (zd->rfloor >= 0.0 ? zd->rfloor : (ResidualFloor(zd, zd->yaf, zd->ydam, 0.0), zd->rfloor))) *reason = SNES_CONVERGED_FNORM_ABS;
  else if (it >= zd->sp.max_nliter - 1) *reason = SNES_DIVERGED_MAX_IT;
  else *reason = SNES_CONVERGED_ITERATING;
  PetscFunctionReturn(0);
}

/* Name the block owning the largest residual for the error message. */
static const char *WorstBlock(HtZeroD zd, const PetscReal *f, PetscReal *rmax)
{
  PetscInt imax = 0;

  *rmax = -1.0;
  for (PetscInt i = 0; i < zd->n; i++) {
    PetscReal a = PetscAbsReal(f[i]);
    if (!(a <= *rmax)) {
      *rmax = a;
      imax  = i;
    }
  }
  return zd->blocks[zd->eq_block[imax]].name;
}

/* Newton matrix J = alpha_m dr/dydot + alpha_f gamma dt dr/dy factorised by KLU. KLU works on
 * compressed columns: our CSR arrays are the CSC form of J^T, so J x = b is KLU's transposed solve.
 * The pivot order of the last full factorisation is reused (klu_refactor) while the pivots stay
 * comparable (reciprocal pivot ratio within 1e-3 of the full one); otherwise KLU pivots afresh. */
static PetscErrorCode GALinearSolve(HtZeroD zd, PetscReal *b, PetscBool *ok)
{
  HtZDKlu        *k   = (HtZDKlu *)zd->klu_common;
  klu_symbolic   *sym = (klu_symbolic *)zd->klu_symbolic;
  klu_numeric    *num = (klu_numeric *)zd->klu_numeric;
  const PetscInt  nnz = zd->sys.ptr[zd->n];
  const PetscReal cy = zd->af * zd->gam * zd->dt, cyd = zd->am;
  PetscLogDouble  t0, t1, t2;

  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  PetscCall(PetscTime(&t0));
  for (PetscInt i = 0; i < nnz; i++) zd->Jval[i] = cyd * zd->sys.Jyd[i] + cy * zd->sys.Jy[i];
  if (num) {
    if (klu_refactor(k->ap, k->ai, zd->Jval, sym, num, &k->c) && klu_rcond(sym, num, &k->c) && k->c.status == KLU_OK && k->c.rcond >= 1e-3 * zd->rcond_full) zd->prof_refactor++;
    else klu_free_numeric(&num, &k->c); /* sets num = NULL */
  }
  if (!num) {
    num = klu_factor(k->ap, k->ai, zd->Jval, sym, &k->c);
    if (num && k->c.status != KLU_OK) klu_free_numeric(&num, &k->c);
    if (num) {
      zd->rcond_full = klu_rcond(sym, num, &k->c) ? k->c.rcond : 0.0;
      zd->prof_full++;
    }
  }
  zd->klu_numeric = num;
  PetscCall(PetscTime(&t1));
  if (!num || !klu_tsolve(sym, num, (int)zd->n, 1, b, &k->c)) *ok = PETSC_FALSE;
  PetscCall(PetscTime(&t2));
  zd->prof_factor += t1 - t0;
  zd->prof_solve += t2 - t1;
  PetscFunctionReturn(0);
}

/* One generalized-alpha step from (y, yd) at time; overwrites y, yd. Newton on x = ydot_{n+1} with
 * svZeroDSolver's sequence: residual and Jacobian from one assembly, stop when max|r| < tolerance
 * (or at the rounding floor after an update), solve, apply the post-solve resets of flagged variables
 * (the flow through a closed heart valve: y_{n+1} set to 0, kept as the correction ycorr), update. */
static PetscErrorCode GAStep(HtZeroD zd, PetscReal *y, PetscReal *yd, PetscReal time)
{
  const PetscInt n = zd->n;
  PetscReal     *x = zd->xk;

  PetscFunctionBeginUser;
  PetscCall(PetscArraycpy(zd->yold, y, n));
  PetscCall(PetscArraycpy(zd->ydold, yd, n));
  HtZD_UpdateTime(zd, time + zd->af * zd->dt);
  zd->rfloor_on = PETSC_TRUE;
  PetscCall(PetscArrayzero(zd->ycorr, n));
  for (PetscInt i = 0; i < n; i++) x[i] = (1.0 - 1.0 / zd->gam) * yd[i]; /* predictor: constant y */
  for (PetscInt it = 0;; it++) {
    PetscLogDouble t0, t1;
    PetscReal      finf = 0.0;
    const char    *why  = NULL;
    PetscBool      ok;

    PetscCall(PetscTime(&t0));
    GAStageValues(zd, x);
    HtZD_Assemble(zd, zd->yaf, zd->ydam);
    PetscCall(PetscTime(&t1));
    zd->prof_assembly += t1 - t0;
    zd->rfloor = -1.0;
    for (PetscInt i = 0; i < n; i++) {
      PetscReal a = PetscAbsReal(zd->sys.r[i]);
      if (!(a <= finf)) finf = a;
    }
    if (PetscIsInfOrNanReal(finf)) why = "NaN or Inf residual";
    else if (finf < zd->sp.abs_tol) break;
    else if (it > 0 && (ResidualFloor(zd, zd->yaf, zd->ydam, 0.0), finf <= zd->rfloor)) break;
    else if (it >= zd->sp.max_nliter - 1) why = "maximum number of Newton iterations";
    if (!why) {
      PetscCall(PetscArraycpy(zd->dx, zd->sys.r, n));
      PetscCall(GALinearSolve(zd, zd->dx, &ok));
      zd->prof_newton++;
      if (!ok) why = "singular Newton matrix";
    }
    if (why) {
      PetscReal   rmax;
      const char *blk = WorstBlock(zd, zd->sys.r, &rmax);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "model %s: Newton did not converge at t = %g (%s; largest residual %g in block %s)", zd->source, (double)(time + zd->dt), why, (double)rmax, blk);
    }
    for (PetscInt i = 0; i < n; i++) {
      if (zd->sys.zero_after[i]) zd->ycorr[i] -= zd->yold[i] + zd->dt * ((1.0 - zd->gam) * zd->ydold[i] + zd->gam * x[i]) + zd->ycorr[i];
      x[i] -= zd->dx[i];
    }
  }
  for (PetscInt i = 0; i < n; i++) {
    y[i]  = zd->yold[i] + zd->dt * ((1.0 - zd->gam) * zd->ydold[i] + zd->gam * x[i]) + zd->ycorr[i];
    yd[i] = x[i];
  }
  zd->prof_steps++;
  PetscFunctionReturn(0);
}

static void GASetCoefficients(HtZeroD zd, PetscReal dt, PetscReal rho)
{
  zd->am  = 0.5 * (3.0 - rho) / (1.0 + rho);
  zd->af  = 1.0 / (1.0 + rho);
  zd->gam = 0.5 + zd->am - zd->af;
  zd->dt  = dt;
}

/* ---- output records ------------------------------------------------------------------------ */
static PetscErrorCode Record(HtZeroD zd, PetscReal t, const PetscReal *y, const PetscReal *yd)
{
  PetscInt n = zd->n;

  PetscFunctionBeginUser;
  if (zd->nout == zd->mout) {
    PetscInt   m = zd->mout ? 2 * zd->mout : 256;
    PetscReal *nt, *ny, *nyd;
    PetscCall(PetscMalloc1(m, &nt));
    PetscCall(PetscMalloc1(m * n, &ny));
    PetscCall(PetscMalloc1(m * n, &nyd));
    if (zd->nout) {
      PetscCall(PetscArraycpy(nt, zd->out_t, zd->nout));
      PetscCall(PetscArraycpy(ny, zd->out_y, zd->nout * n));
      PetscCall(PetscArraycpy(nyd, zd->out_yd, zd->nout * n));
    }
    PetscCall(PetscFree(zd->out_t));
    PetscCall(PetscFree(zd->out_y));
    PetscCall(PetscFree(zd->out_yd));
    zd->out_t  = nt;
    zd->out_y  = ny;
    zd->out_yd = nyd;
    zd->mout   = m;
  }
  zd->out_t[zd->nout] = t;
  PetscCall(PetscArraycpy(zd->out_y + zd->nout * n, y, n));
  PetscCall(PetscArraycpy(zd->out_yd + zd->nout * n, yd, n));
  zd->nout++;
  PetscFunctionReturn(0);
}

/* Relative change of the cycle means of flow and pressure at the vessel caps (svZeroDSolver's
 * cycle-to-cycle error); the ring holds the last two cycles (2 (P-1) + 1 states). */
static PetscReal CycleChange(HtZeroD zd)
{
  PetscInt  P = zd->sp.pts_per_cycle, n = zd->n;
  PetscReal worst = 0.0;

  for (PetscInt b = 0; b < zd->nblocks; b++) {
    const HtZDBlock *blk = &zd->blocks[b];
    PetscInt         node;
    if (blk->type->cls != HTZD_VESSEL || !blk->vessel_type) continue;
    node = blk->vessel_type == 1 ? blk->in[0] : blk->out[0];
    for (PetscInt k = 0; k < 2; k++) {
      PetscInt  dof = k ? zd->nodes[node].pres_dof : zd->nodes[node].flow_dof;
      PetscReal m0 = 0.0, m1 = 0.0, e;
      for (PetscInt i = 0; i < P; i++) {
        m0 += zd->ring[i * n + dof];
        m1 += zd->ring[(P - 1 + i) * n + dof];
      }
      m0 /= P;
      m1 /= P;
      e = PetscAbsReal((m1 - m0) / m0);
      if (e > worst || PetscIsInfOrNanReal(e)) worst = e;
    }
  }
  return worst;
}

static PetscBool CapsConverged(HtZeroD zd)
{
  PetscInt P = zd->sp.pts_per_cycle, n = zd->n;

  for (PetscInt b = 0; b < zd->nblocks; b++) {
    const HtZDBlock *blk = &zd->blocks[b];
    PetscInt         node;
    if (blk->type->cls != HTZD_VESSEL || !blk->vessel_type) continue;
    node = blk->vessel_type == 1 ? blk->in[0] : blk->out[0];
    for (PetscInt k = 0; k < 2; k++) {
      PetscInt  dof = k ? zd->nodes[node].pres_dof : zd->nodes[node].flow_dof;
      PetscReal m0 = 0.0, m1 = 0.0;
      for (PetscInt i = 0; i < P; i++) {
        m0 += zd->ring[i * n + dof];
        m1 += zd->ring[(P - 1 + i) * n + dof];
      }
      m0 /= P;
      m1 /= P;
      if (PetscAbsReal((m1 - m0) / m0) > zd->sp.cycle_error) return PETSC_FALSE;
    }
  }
  return PETSC_TRUE;
}

/* Windkessel models: number of cycles from the largest time constant (Pfaller et al. 2021, eq. 21) */
PetscErrorCode HtZD_CycleCount(HtZeroD zd)
{
  PetscFunctionBeginUser;
  zd->sp.num_cycles     = (PetscInt)ceil(-1.0 * zd->largest_tau / zd->period * log(zd->sp.cycle_error));
  PetscCheck(zd->sp.num_cycles >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: the cycle-to-cycle error target gives %" PetscInt_FMT " cycles", zd->source, zd->sp.num_cycles);
  zd->sp.num_time_steps = (zd->sp.pts_per_cycle - 1) * zd->sp.num_cycles + 1;
  PetscFunctionReturn(0);
}

/* ---- setup ----------------------------------------------------------------------------------- */
PetscErrorCode HtZeroD_SetFromOptions(HtZeroD zd)
{
  PetscBool set;

  PetscFunctionBeginUser;
  PetscOptionsBegin(zd->comm, "zerod_", "hemotwin 0D engine", "HtZeroD");
  PetscCall(PetscOptionsString("-ts_type", "time integrator: alpha_sv (svZeroDSolver's generalized-alpha on SNES) or a PETSc TS type", "HtZeroD_SetFromOptions", zd->ts_type, zd->ts_type, sizeof(zd->ts_type), NULL));
  PetscCall(PetscOptionsReal("-ts_alpha_radius", "spectral radius rho_infinity (overrides rho_infty of the model)", "HtZeroD_SetFromOptions", zd->rho_option, &zd->rho_option, &set));
  PetscOptionsEnd();
  if (set) PetscCheck(zd->rho_option >= 0.0 && zd->rho_option <= 1.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -zerod_ts_alpha_radius %g: must be in [0, 1]", (double)zd->rho_option);
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_SetUp(HtZeroD zd)
{
  PetscInt n;

  PetscFunctionBeginUser;
  PetscCheck(zd->loaded, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtZeroD_SetUp: no model loaded");
  if (zd->setup) PetscFunctionReturn(0);
  n = zd->n;
  if (zd->rho_option >= 0.0) zd->sp.rho_infty = zd->rho_option;
  /* Windkessel models: number of cycles from the largest time constant (Pfaller et al. 2021, eq. 21) */
  if (zd->sp.use_cycle_error && zd->has_windkessel) PetscCall(HtZD_CycleCount(zd));
  zd->sys.n = n;
  PetscCall(PetscMalloc4(n, &zd->yold, n, &zd->ydold, n, &zd->yaf, n, &zd->ydam));
  PetscCall(PetscCalloc2(n, &zd->ycorr, n, &zd->sys.zero_after));
  PetscCall(PetscMalloc1((2 * (zd->sp.pts_per_cycle - 1) + 1) * n, &zd->ring));
  /* the model is tiny: every rank integrates it redundantly on PETSC_COMM_SELF */
  PetscCall(BuildPattern(zd));
  zd->sys.ptr = zd->pat_ptr;
  zd->sys.col = zd->pat_col;
  PetscCall(PetscMalloc3(n, &zd->sys.r, zd->pat_ptr[n], &zd->sys.Jy, zd->pat_ptr[n], &zd->sys.Jyd));
  PetscCall(PetscMalloc3(zd->pat_ptr[n], &zd->Jval, n, &zd->xk, n, &zd->dx));
  {
    HtZDKlu *k;
    PetscCall(PetscCalloc1(1, &k));
    zd->klu_common = k;
    PetscCall(PetscMalloc2(n + 1, &k->ap, zd->pat_ptr[n], &k->ai));
    for (PetscInt i = 0; i <= n; i++) k->ap[i] = (int)zd->pat_ptr[i];
    for (PetscInt i = 0; i < zd->pat_ptr[n]; i++) k->ai[i] = (int)zd->pat_col[i];
    klu_defaults(&k->c);
    zd->klu_symbolic = klu_analyze((int)n, k->ap, k->ai, &k->c);
    PetscCheck(zd->klu_symbolic, PETSC_COMM_SELF, PETSC_ERR_LIB, "model %s: KLU analysis of the Newton matrix pattern failed (status %d)", zd->source, k->c.status);
  }
  /* A pivoting sparse LU: the DAE matrix can have zero diagonal entries (PETSc's native LU does not
   * pivot). KLU (SuiteSparse, made for circuit matrices) first; without any, dense LAPACK LU. */
  {
    const char *cand[] = {MATSOLVERKLU, MATSOLVERUMFPACK, MATSOLVERSUPERLU, MATSOLVERMUMPS};
    PetscBool   found = PETSC_FALSE;
    for (PetscInt k = 0; k < 4 && !found; k++) {
      PetscCall(MatSolverTypeGet(cand[k], MATSEQAIJ, MAT_FACTOR_LU, &found, NULL, NULL));
      if (found) PetscCall(PetscStrncpy(zd->lu_type, cand[k], sizeof(zd->lu_type)));
    }
    if (!found) {
      PetscCall(MatConvert(zd->J, MATSEQDENSE, MAT_INPLACE_MATRIX, &zd->J));
      PetscCall(PetscStrncpy(zd->lu_type, MATSOLVERPETSC, sizeof(zd->lu_type)));
    }
  }
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n, &zd->x));
  PetscCall(VecDuplicate(zd->x, &zd->f));
  zd->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* ---- PETSc TS path ------------------------------------------------------------------------- */
static PetscErrorCode TSIFunc(TS ts, PetscReal t, Vec U, Vec Ud, Vec F, void *ctx)
{
  HtZeroD            zd = (HtZeroD)ctx;
  const PetscScalar *u, *ud;
  PetscScalar       *f;

  PetscFunctionBeginUser;
  (void)ts;
  HtZD_UpdateTime(zd, t);
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArrayRead(Ud, &ud));
  HtZD_Assemble(zd, u, ud);
  ResidualFloor(zd, u, ud, zd->ts_shift);
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(VecRestoreArrayRead(Ud, &ud));
  PetscCall(VecGetArray(F, &f));
  for (PetscInt i = 0; i < zd->n; i++) f[i] = zd->sys.r[i];
  PetscCall(VecRestoreArray(F, &f));
  PetscFunctionReturn(0);
}

static PetscErrorCode TSIJac(TS ts, PetscReal t, Vec U, Vec Ud, PetscReal shift, Mat A, Mat B, void *ctx)
{
  HtZeroD            zd = (HtZeroD)ctx;
  const PetscScalar *u, *ud;

  PetscFunctionBeginUser;
  (void)ts;
  (void)A;
  HtZD_UpdateTime(zd, t);
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArrayRead(Ud, &ud));
  HtZD_Assemble(zd, u, ud);
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(VecRestoreArrayRead(Ud, &ud));
  PetscCall(FillJacobian(zd, B, shift, 1.0));
  zd->ts_shift = shift;
  PetscFunctionReturn(0);
}

/* Output selection as in the alpha_sv loop; ydot is the backward difference of the stored states. */
static PetscErrorCode TSMon(TS ts, PetscInt step, PetscReal t, Vec U, void *ctx)
{
  HtZeroD            zd = (HtZeroD)ctx;
  const PetscScalar *u;
  PetscReal         *yd = zd->ydam;
  /* the step index from the time: a continued TSSolve (extra cycles) may count its steps afresh */
  PetscInt           N = zd->sp.num_time_steps, P = zd->sp.pts_per_cycle, M = 2 * (P - 1) + 1, i = (PetscInt)llround(t / zd->dt), ii = i;

  PetscFunctionBeginUser;
  (void)ts;
  (void)step;
  if (i == zd->ts_last_mon) PetscFunctionReturn(0);
  zd->ts_last_mon = i;
  PetscCall(VecGetArrayRead(U, &u));
  for (PetscInt k = 0; k < zd->n; k++) yd[k] = i ? (u[k] - zd->yold[k]) / zd->dt : zd->yd0[k];
  /* states of the last two cycles for the cycle-to-cycle error (as the alpha_sv loop keeps them) */
  if (i >= N - M && i < N) PetscCall(PetscArraycpy(zd->ring + zd->n * (i - (N - M)), u, zd->n));
  else if (i >= N) PetscCall(PetscArraycpy(zd->ring + zd->n * (P + (i - N) % (P - 1)), u, zd->n));
  if (i >= N) ii = (i - N) % (P - 1) + 1; /* extra cycles: step index within the cycle, as alpha_sv */
  if (i == 0) {
    if (zd->sp.output_all_cycles || 0 >= zd->ts_step_start_last) PetscCall(Record(zd, 0.0, u, yd));
  } else {
    zd->ts_interval++;
    if (zd->ts_interval == zd->sp.output_interval || (!zd->sp.output_all_cycles && ii == zd->ts_step_start_last)) {
      if (zd->sp.output_all_cycles || ii >= zd->ts_step_start_last) PetscCall(Record(zd, zd->dt * ii, u, yd));
      zd->ts_interval = 0;
    }
  }
  for (PetscInt k = 0; k < zd->n; k++) zd->yold[k] = u[k];
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveTS(HtZeroD zd, PetscReal *y)
{
  Vec                U;
  PetscScalar       *u;
  SNES               snes;
  TSConvergedReason  reason;

  PetscFunctionBeginUser;
  PetscInt           extra = 0, N = zd->sp.num_time_steps, P = zd->sp.pts_per_cycle;

  PetscCheck(!(zd->sp.use_cycle_error && !zd->has_windkessel && N < 2 * (P - 1) + 1), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: use_cycle_to_cycle_error needs at least two cycles", zd->source);
  zd->rfloor_on = PETSC_TRUE;
  PetscCall(PetscArrayzero(zd->ycorr, zd->n));
  PetscCall(TSDestroy(&zd->ts)); /* a repeated Solve starts afresh */
  PetscCall(TSCreate(PETSC_COMM_SELF, &zd->ts));
  PetscCall(TSSetOptionsPrefix(zd->ts, "zerod_"));
  PetscCall(TSSetType(zd->ts, zd->ts_type));
  PetscCall(TSSetIFunction(zd->ts, zd->f, TSIFunc, zd));
  PetscCall(TSSetIJacobian(zd->ts, zd->J, zd->J, TSIJac, zd));
  PetscCall(TSSetTimeStep(zd->ts, zd->dt));
  PetscCall(TSSetMaxSteps(zd->ts, zd->sp.num_time_steps - 1));
  PetscCall(TSSetMaxTime(zd->ts, zd->dt * (zd->sp.num_time_steps - 1) * (1.0 + 1e-12)));
  PetscCall(TSSetExactFinalTime(zd->ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSGetSNES(zd->ts, &snes));
  PetscCall(SNESSetTolerances(snes, 0.0, 0.0, 0.0, zd->sp.max_nliter + 1, 100000000));
  PetscCall(SNESSetConvergenceTest(snes, ConvergenceTest, zd, NULL));
  {
    SNESLineSearch ls; /* full Newton steps: a backtracking search stalls at the rounding floor */
    PetscCall(SNESGetLineSearch(snes, &ls));
    PetscCall(SNESLineSearchSetType(ls, SNESLINESEARCHBASIC));
  }
  {
    KSP ksp;
    PC  pc;
    PetscCall(SNESGetKSP(snes, &ksp));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCLU));
    PetscCall(PCFactorSetMatSolverType(pc, zd->lu_type));
  }
  {
    PetscBool isalpha;
    PetscCall(PetscStrcmp(zd->ts_type, TSALPHA, &isalpha));
    if (isalpha) PetscCall(TSAlphaSetRadius(zd->ts, zd->sp.rho_infty));
  }
  {
    TSAdapt adapt; /* fixed steps: outputs are sampled per step like svZeroDSolver's */
    PetscCall(TSGetAdapt(zd->ts, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  }
  PetscCall(TSMonitorSet(zd->ts, TSMon, zd, NULL));
  PetscCall(TSSetFromOptions(zd->ts));
  PetscCall(VecDuplicate(zd->x, &U));
  PetscCall(VecGetArray(U, &u));
  for (PetscInt i = 0; i < zd->n; i++) u[i] = y[i];
  PetscCall(VecRestoreArray(U, &u));
  zd->ts_step_start_last = zd->sp.num_time_steps - zd->sp.pts_per_cycle;
  zd->ts_interval        = 0;
  zd->ts_last_mon        = -1;
  PetscCall(TSSolve(zd->ts, U));
  PetscCall(TSGetConvergedReason(zd->ts, &reason));
  if (reason < 0) PetscCall(VecDestroy(&U));
  PetscCheck(reason >= 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "model %s: TS %s failed (%s)", zd->source, zd->ts_type, TSConvergedReasons[reason]);
  zd->nring = N >= 2 * (P - 1) + 1 ? 2 * (P - 1) + 1 : 0;
  /* no Windkessel: add cycles until the cap means settle (svZeroDSolver's rule, as in alpha_sv) */
  while (zd->sp.use_cycle_error && !zd->has_windkessel && !CapsConverged(zd)) {
    PetscInt last = N - 1 + (extra + 1) * (P - 1);
    if (extra >= 10000) PetscCall(VecDestroy(&U));
    PetscCheck(extra < 10000, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "model %s: no periodic state after %" PetscInt_FMT " extra cycles", zd->source, extra);
    PetscCall(PetscArraymove(zd->ring, zd->ring + zd->n * (P - 1), zd->n * P));
    /* continue on the exact step grid (the final-time matching may have shortened the last step) */
    PetscCall(TSSetTime(zd->ts, zd->dt * (PetscReal)(last - (P - 1))));
    PetscCall(TSSetTimeStep(zd->ts, zd->dt));
    PetscCall(TSSetMaxSteps(zd->ts, last));
    PetscCall(TSSetMaxTime(zd->ts, zd->dt * (PetscReal)last * (1.0 + 1e-12)));
    PetscCall(TSSolve(zd->ts, U));
    PetscCall(TSGetConvergedReason(zd->ts, &reason));
    if (reason < 0) PetscCall(VecDestroy(&U));
    PetscCheck(reason >= 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "model %s: TS %s failed (%s)", zd->source, zd->ts_type, TSConvergedReasons[reason]);
    extra++;
  }
  if (extra) HtLog_Info("0D model %s: ran %" PetscInt_FMT " more cycles to converge flow and pressure at the caps", zd->source, extra);
  PetscCall(VecDestroy(&U));
  zd->ncycles_run  = zd->sp.num_cycles + extra;
  zd->cycle_change = zd->nring ? CycleChange(zd) : -1.0;
  PetscFunctionReturn(0);
}

/* Warm start (HtZeroD_SetWarmStart): integrate cycle by cycle from the final state of the previous solve
 * until the cycle means at the caps change by less than warm_tol (at most number_of_cardiac_cycles cycles);
 * the output is the last cycle. Models without cap vessels run all cycles. */
static PetscErrorCode WarmSolve(HtZeroD zd, PetscReal *y, PetscReal *yd)
{
  const PetscInt n = zd->n, P = zd->sp.pts_per_cycle, M = 2 * (P - 1) + 1;
  PetscReal      dt = zd->period / (PetscReal)(P - 1);
  PetscBool      caps = PETSC_FALSE;
  PetscInt       c;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < zd->nblocks; b++)
    if (zd->blocks[b].type->cls == HTZD_VESSEL && zd->blocks[b].vessel_type) caps = PETSC_TRUE;
  PetscCall(PetscArraycpy(y, zd->ywarm, n));
  PetscCall(PetscArraycpy(yd, zd->ydwarm, n));
  GASetCoefficients(zd, dt, zd->sp.rho_infty);
  PetscCall(PetscArraycpy(zd->ring + n * (P - 1), y, n));
  zd->cycle_change = -1.0;
  zd->nring        = 0;
  for (c = 1; c <= zd->sp.num_cycles; c++) {
    PetscInt interval = 0;
    zd->nout          = 0;
    PetscCall(Record(zd, 0.0, y, yd));
    for (PetscInt k = 1; k < P; k++) {
      PetscCall(GAStep(zd, y, yd, dt * (PetscReal)(k - 1)));
      PetscCall(PetscArraycpy(zd->ring + n * (P - 1 + k), y, n));
      if (++interval == zd->sp.output_interval) {
        PetscCall(Record(zd, dt * (PetscReal)k, y, yd));
        interval = 0;
      }
    }
    if (c >= 2) {
      zd->nring        = M;
      zd->cycle_change = CycleChange(zd);
      if (caps && zd->cycle_change <= zd->warm_tol) break;
    }
    PetscCall(PetscArraymove(zd->ring, zd->ring + n * (P - 1), n * P));
  }
  zd->ncycles_run = PetscMin(c, zd->sp.num_cycles);
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_SetWarmStart(HtZeroD zd, PetscBool on, PetscReal max_cycle_change)
{
  PetscFunctionBeginUser;
  PetscCheck(!on || max_cycle_change > 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: the warm-start cycle-to-cycle tolerance must be > 0 (got %g)", zd->source, (double)max_cycle_change);
  zd->warm_on  = on;
  zd->warm_tol = max_cycle_change;
  PetscFunctionReturn(0);
}

/* ---- the simulation ------------------------------------------------------------------------- */
PetscErrorCode HtZeroD_Solve(HtZeroD zd)
{
  PetscInt   n, N, P, start_last, M, counter = 0, interval = 0, extra = 0;
  PetscReal *y, *yd, time = 0.0, dt;
  PetscBool  alpha_sv;

  PetscFunctionBeginUser;
  if (!zd->setup) PetscCall(HtZeroD_SetUp(zd));
  n = zd->n;
  N = zd->sp.num_time_steps;
  P = zd->sp.pts_per_cycle;
  dt = zd->period / (PetscReal)(P - 1);
  zd->nout          = 0;
  zd->prof_assembly = zd->prof_factor = zd->prof_solve = 0.0;
  zd->prof_newton = zd->prof_full = zd->prof_refactor = zd->prof_steps = 0;
  PetscCall(PetscMalloc2(n, &y, n, &yd));
  PetscCall(PetscArraycpy(y, zd->y0, n));
  PetscCall(PetscArraycpy(yd, zd->yd0, n));
  PetscCall(PetscStrcmp(zd->ts_type, "alpha_sv", &alpha_sv));
  if (alpha_sv && zd->warm_on && zd->ywarm) {
    PetscCall(WarmSolve(zd, y, yd));
    PetscCall(PetscArraycpy(zd->ywarm, y, n));
    PetscCall(PetscArraycpy(zd->ydwarm, yd, n));
    PetscCall(PetscFree2(y, yd));
    goto finish;
  }

  if (zd->sp.steady_initial) {
    PetscReal dts = zd->period / 10.0;
    HtZD_ToSteady(zd);
    GASetCoefficients(zd, dts, zd->sp.rho_infty);
    for (PetscInt i = 0; i < 31; i++) {
      PetscErrorCode ierr = GAStep(zd, y, yd, dts * (PetscReal)i);
      if (ierr) HtZD_ToUnsteady(zd);
      PetscCall(ierr);
    }
    HtZD_ToUnsteady(zd);
  }
  /* initial-state dependent block parameters. The state used is the model's initial condition
   * (not the steady start), parameter values are those of the last evaluation (steady means after a
   * steady start, t = 0 otherwise): this is what reproduces svZeroDSolver's coronary references with
   * and without steady_initial. */
  if (!zd->sp.steady_initial) HtZD_UpdateTime(zd, 0.0);
  for (PetscInt b = 0; b < zd->nblocks; b++)
    if (zd->blocks[b].type->init) zd->blocks[b].type->init(&zd->blocks[b], zd->pv, zd->y0, zd->yd0);
  GASetCoefficients(zd, dt, zd->sp.rho_infty);
  if (!alpha_sv) {
    PetscCall(SolveTS(zd, y));
    PetscCall(PetscFree2(y, yd));
    goto finish;
  }

  start_last = N - P;
  M          = 2 * (P - 1) + 1;
  if (zd->sp.output_all_cycles || 0 >= start_last) PetscCall(Record(zd, time, y, yd));
  for (PetscInt i = 1; i < N; i++) {
    if (i == N - M + 1) PetscCall(PetscArraycpy(zd->ring + n * counter++, y, n));
    PetscCall(GAStep(zd, y, yd, time));
    if (counter > 0) PetscCall(PetscArraycpy(zd->ring + n * counter++, y, n));
    interval++;
    time = dt * (PetscReal)i;
    if (interval == zd->sp.output_interval || (!zd->sp.output_all_cycles && i == start_last)) {
      if (zd->sp.output_all_cycles || i >= start_last) PetscCall(Record(zd, time, y, yd));
      interval = 0;
    }
  }
  zd->nring = counter;
  if (zd->sp.use_cycle_error && !zd->has_windkessel) {
    PetscCheck(counter == M, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: use_cycle_to_cycle_error needs at least two cycles", zd->source);
    /* add cycles until the cap means change by less than the target (time restarts at dt as in svZeroDSolver) */
    while (!CapsConverged(zd)) {
      PetscCheck(extra < 10000, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "model %s: no periodic state after %" PetscInt_FMT " extra cycles", zd->source, extra);
      PetscCall(PetscArraymove(zd->ring, zd->ring + n * (P - 1), n * P));
      counter = P;
      for (PetscInt i = 1; i < P; i++) {
        PetscCall(GAStep(zd, y, yd, time));
        PetscCall(PetscArraycpy(zd->ring + n * counter++, y, n));
        interval++;
        time = dt * (PetscReal)i;
        if (interval == zd->sp.output_interval || (!zd->sp.output_all_cycles && i == start_last)) {
          if (zd->sp.output_all_cycles || i >= start_last) PetscCall(Record(zd, time, y, yd));
          interval = 0;
        }
      }
      extra++;
    }
    if (extra) HtLog_Info("0D model %s: ran %" PetscInt_FMT " more cycles to converge flow and pressure at the caps", zd->source, extra);
  }
  zd->ncycles_run  = zd->sp.num_cycles + extra;
  zd->cycle_change = zd->nring == M ? CycleChange(zd) : -1.0;
  /* final state (time = whole cycles): starting point of a warm-started next solve */
  if (!zd->ywarm) PetscCall(PetscMalloc2(n, &zd->ywarm, n, &zd->ydwarm));
  PetscCall(PetscArraycpy(zd->ywarm, y, n));
  PetscCall(PetscArraycpy(zd->ydwarm, yd, n));
  PetscCall(PetscFree2(y, yd));

finish:
  PetscCheck(zd->nout > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: no output time points (check output_interval)", zd->source);
  if (!zd->sp.output_all_cycles) {
    PetscReal t0 = zd->out_t[0];
    for (PetscInt i = 0; i < zd->nout; i++) zd->out_t[i] -= t0;
  }
  for (PetscInt i = 0; i < zd->nout * n; i++)
    PetscCheck(!PetscIsInfOrNanReal(zd->out_y[i]), PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "model %s: the solution contains NaN/Inf (variable %s)", zd->source, zd->varnames[i % n]);
  zd->solved = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* ---- results ---------------------------------------------------------------------------------- */
static PetscErrorCode CacheArray(HtZeroD zd, PetscInt len, PetscReal **a)
{
  PetscFunctionBeginUser;
  if (zd->ncache == zd->mcache) {
    PetscInt    m = zd->mcache ? 2 * zd->mcache : 16;
    PetscReal **nc;
    PetscCall(PetscCalloc1(m, &nc));
    if (zd->ncache) PetscCall(PetscArraycpy(nc, zd->cache, zd->ncache));
    PetscCall(PetscFree(zd->cache));
    zd->cache  = nc;
    zd->mcache = m;
  }
  PetscCall(PetscMalloc1(len ? len : 1, a));
  zd->cache[zd->ncache++] = *a;
  PetscFunctionReturn(0);
}

static PetscErrorCode Column(HtZeroD zd, PetscInt dof, const PetscReal **out)
{
  PetscReal *a;

  PetscFunctionBeginUser;
  if (!out) PetscFunctionReturn(0);
  PetscCall(CacheArray(zd, zd->nout, &a));
  for (PetscInt i = 0; i < zd->nout; i++) a[i] = zd->out_y[i * zd->n + dof];
  *out = a;
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_GetVesselResult(HtZeroD zd, const char *vessel_name, PetscInt *nt, const PetscReal **t, const PetscReal **q_in, const PetscReal **q_out, const PetscReal **p_in, const PetscReal **p_out)
{
  PetscInt b;

  PetscFunctionBeginUser;
  PetscCheck(zd->solved, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: HtZeroD_GetVesselResult before HtZeroD_Solve", zd->source);
  for (b = 0; b < zd->nblocks; b++)
    if (zd->blocks[b].type->cls == HTZD_VESSEL && !strcmp(zd->blocks[b].name, vessel_name)) break;
  PetscCheck(b < zd->nblocks, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: no vessel named %s", zd->source, vessel_name);
  if (nt) *nt = zd->nout;
  if (t) *t = zd->out_t;
  PetscCall(Column(zd, zd->nodes[zd->blocks[b].in[0]].flow_dof, q_in));
  PetscCall(Column(zd, zd->nodes[zd->blocks[b].out[0]].flow_dof, q_out));
  PetscCall(Column(zd, zd->nodes[zd->blocks[b].in[0]].pres_dof, p_in));
  PetscCall(Column(zd, zd->nodes[zd->blocks[b].out[0]].pres_dof, p_out));
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_GetVariable(HtZeroD zd, const char *var_name, PetscInt *nt, const PetscReal **t, const PetscReal **y)
{
  PetscInt i;

  PetscFunctionBeginUser;
  PetscCheck(zd->solved, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: HtZeroD_GetVariable before HtZeroD_Solve", zd->source);
  for (i = 0; i < zd->n && strcmp(zd->varnames[i], var_name); i++) { }
  PetscCheck(i < zd->n, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "model %s: no variable named %s", zd->source, var_name);
  if (nt) *nt = zd->nout;
  if (t) *t = zd->out_t;
  PetscCall(Column(zd, i, y));
  PetscFunctionReturn(0);
}

PetscErrorCode HtZeroD_GetCycleInfo(HtZeroD zd, PetscInt *ncycles, PetscReal *period, PetscReal *cycle_change)
{
  PetscFunctionBeginUser;
  PetscCheck(zd->loaded, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtZeroD_GetCycleInfo: no model loaded");
  if (ncycles) *ncycles = zd->solved ? zd->ncycles_run : zd->sp.num_cycles;
  if (period) *period = zd->period;
  if (cycle_change) *cycle_change = zd->solved ? zd->cycle_change : -1.0;
  PetscFunctionReturn(0);
}

static int WriteRows(HtZeroD zd, FILE *fp)
{
  const HtZDSimParams *sp = &zd->sp;
  PetscInt             n = zd->n, no = zd->nout;
  int                  bad = 0;

  if (sp->output_variable_based) {
    bad |= fprintf(fp, sp->output_derivative ? "name,time,y,ydot\n" : "name,time,y\n") < 0;
    for (PetscInt i = 0; i < n; i++) {
      if (sp->output_mean_only) {
        PetscReal my = 0.0, myd = 0.0;
        for (PetscInt j = 0; j < no; j++) my += zd->out_y[j * n + i], myd += zd->out_yd[j * n + i];
        my /= no;
        myd /= no;
        if (sp->output_derivative) bad |= fprintf(fp, "%s,,%.16e,%.16e\n", zd->varnames[i], my, myd) < 0;
        else bad |= fprintf(fp, "%s,,%.16e\n", zd->varnames[i], my) < 0;
      } else {
        for (PetscInt j = 0; j < no; j++) {
          if (sp->output_derivative) bad |= fprintf(fp, "%s,%.16e,%.16e,%.16e\n", zd->varnames[i], zd->out_t[j], zd->out_y[j * n + i], zd->out_yd[j * n + i]) < 0;
          else bad |= fprintf(fp, "%s,%.16e,%.16e\n", zd->varnames[i], zd->out_t[j], zd->out_y[j * n + i]) < 0;
        }
      }
    }
    return bad;
  }
  bad |= fprintf(fp, sp->output_derivative ? "name,time,flow_in,flow_out,pressure_in,pressure_out,d_flow_in,d_flow_out,d_pressure_in,d_pressure_out\n" : "name,time,flow_in,flow_out,pressure_in,pressure_out\n") < 0;
  for (PetscInt b = 0; b < zd->nblocks; b++) {
    const HtZDBlock *blk = &zd->blocks[b];
    PetscInt         d[4];
    if (blk->type->cls != HTZD_VESSEL) continue;
    d[0] = zd->nodes[blk->in[0]].flow_dof;
    d[1] = zd->nodes[blk->out[0]].flow_dof;
    d[2] = zd->nodes[blk->in[0]].pres_dof;
    d[3] = zd->nodes[blk->out[0]].pres_dof;
    if (sp->output_mean_only) {
      PetscReal m[8] = {0};
      for (PetscInt j = 0; j < no; j++)
        for (PetscInt k = 0; k < 4; k++) m[k] += zd->out_y[j * n + d[k]], m[4 + k] += zd->out_yd[j * n + d[k]];
      for (PetscInt k = 0; k < 8; k++) m[k] /= no;
      bad |= fprintf(fp, "%s,", blk->name) < 0;
      for (PetscInt k = 0; k < (sp->output_derivative ? 8 : 4); k++) bad |= fprintf(fp, ",%.16e", m[k]) < 0;
      bad |= fprintf(fp, "\n") < 0;
    } else {
      for (PetscInt j = 0; j < no; j++) {
        bad |= fprintf(fp, "%s,%.16e", blk->name, zd->out_t[j]) < 0;
        for (PetscInt k = 0; k < 4; k++) bad |= fprintf(fp, ",%.16e", zd->out_y[j * n + d[k]]) < 0;
        if (sp->output_derivative)
          for (PetscInt k = 0; k < 4; k++) bad |= fprintf(fp, ",%.16e", zd->out_yd[j * n + d[k]]) < 0;
        bad |= fprintf(fp, "\n") < 0;
      }
    }
  }
  return bad;
}

PetscErrorCode HtZeroD_WriteCSV(HtZeroD zd, const char *path)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCheck(zd->solved, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: HtZeroD_WriteCSV before HtZeroD_Solve", path);
  PetscCallMPI(MPI_Comm_rank(zd->comm, &rank));
  if (rank == 0) {
    char  tmp[PETSC_MAX_PATH_LEN];
    FILE *fp;
    /* write next to the target, then rename: a failed run never leaves a partial file */
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()));
    fp = fopen(tmp, "w");
    if (!fp) err = 1;
    else {
      if (WriteRows(zd, fp)) err = 2;
      if (fclose(fp)) err = 2;
      if (err) remove(tmp);
      else if (rename(tmp, path)) {
        remove(tmp);
        err = 3;
      }
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, zd->comm));
  PetscCheck(err != 1, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot create the output file", path);
  PetscCheck(err == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: writing the results failed", path);
  PetscFunctionReturn(0);
}

PetscErrorCode HtZD_KluDestroy(HtZeroD zd)
{
  HtZDKlu *k = (HtZDKlu *)zd->klu_common;

  PetscFunctionBeginUser;
  if (!k) PetscFunctionReturn(0);
  if (zd->klu_numeric) {
    klu_numeric *num = (klu_numeric *)zd->klu_numeric;
    klu_free_numeric(&num, &k->c);
  }
  if (zd->klu_symbolic) {
    klu_symbolic *sym = (klu_symbolic *)zd->klu_symbolic;
    klu_free_symbolic(&sym, &k->c);
  }
  zd->klu_numeric = zd->klu_symbolic = NULL;
  PetscCall(PetscFree2(k->ap, k->ai));
  PetscCall(PetscFree(k));
  zd->klu_common = NULL;
  PetscFunctionReturn(0);
}
