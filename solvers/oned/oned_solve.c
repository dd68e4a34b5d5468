/* hemotwin 1D engine: MUSCL-Hancock finite volumes, characteristic boundary/junction treatment,
 * run to periodic state.
 *
 * Step n -> n+1 (global dt from the CFL condition):
 *  1. each rank: limited slopes and Hancock half-step predictor of the face states of its vessels;
 *  2. the predicted end states of all vessels are summed over ranks (non-owners contribute 0, so the
 *     sum is exact) -> every rank knows every vessel end;
 *  3. every rank solves inlet, junctions and outlets identically (Newton on Riemann invariants) for
 *     the boundary states at t_{n+1/2};
 *  4. each rank: Rusanov fluxes between predicted face states (boundary faces: exact flux of the
 *     boundary state), conservative update with the source at the half step. */
#include "oned_impl.h"
#include <math.h>

typedef struct {
  PetscReal A, Q;
} St;

/* monotonized-central limiter */
static inline PetscReal MCLimit(PetscReal a, PetscReal b)
{
  if (a * b <= 0) return 0;
  {
    PetscReal c = 0.5 * (a + b), m = PetscMin(PetscMin(2 * PetscAbsReal(a), 2 * PetscAbsReal(b)), PetscAbsReal(c));
    return c > 0 ? m : -m;
  }
}

static inline void Flux(PetscReal A, PetscReal Q, PetscReal G, PetscReal rho, PetscReal *f0, PetscReal *f1)
{
  *f0 = Q;
  *f1 = Q * Q / A + G * A * PetscSqrtReal(A) / (3.0 * rho);
}

/* ---- boundary conditions -------------------------------------------------------------------- */
/* u(A) along the outgoing characteristic: side 1 (vessel outlet): W1 = u + 4c; side 0: W2 = u - 4c. */
typedef struct {
  PetscReal W, sg, ct, A0, G, Pext; /* ct: c = ct A^(1/4) */
} EndChar;

static inline void EndEval(const EndChar *e, PetscReal A, PetscReal *u, PetscReal *c)
{
  *c = e->ct * PetscSqrtReal(PetscSqrtReal(A));
  *u = e->W - e->sg * 4.0 * (*c);
}

static void MakeEnd(HtOneD od, HtOneDVesselData *v, PetscInt side, const PetscReal pred[2], EndChar *e)
{
  PetscReal A = pred[0], Q = pred[1];
  e->sg       = side ? 1.0 : -1.0;
  e->G        = v->Gb[side];
  e->A0       = v->A0b[side];
  e->Pext     = v->par.Pext_Pa;
  e->ct       = PetscSqrtReal(e->G / (2.0 * od->rho));
  e->W        = Q / A + e->sg * 4.0 * e->ct * PetscSqrtReal(PetscSqrtReal(A));
}

static PetscErrorCode BlowUp(HtOneD od, HtOneDVesselData *v, const char *where, PetscReal t)
{
  PetscFunctionBeginUser;
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: blow-up in vessel %s at %s, t = %.6g s (negative area or NaN; reduce -oned_cfl or check parameters)", od->source, v->par.label, where, (double)t);
}

/* inlet: prescribed flow */
static PetscErrorCode SolveInlet(HtOneD od, HtOneDVesselData *v, const PetscReal pred[2], PetscReal qin, PetscReal t, PetscReal Ub[2])
{
  EndChar   e;
  PetscReal A = pred[0], u, c;

  PetscFunctionBeginUser;
  MakeEnd(od, v, 0, pred, &e);
  for (PetscInt it = 0; it < 50; it++) {
    PetscReal f, df, dA;
    EndEval(&e, A, &u, &c);
    f  = qin - A * u;
    df = -(u + c); /* d(A u)/dA = u - sg c with sg = -1 */
    dA = -f / df;
    A += dA;
    if (!(A > 0) || !isfinite(A)) PetscCall(BlowUp(od, v, "the inlet", t));
    if (PetscAbsReal(dA) < 1e-13 * A) break;
  }
  EndEval(&e, A, &u, &c);
  Ub[0] = A;
  Ub[1] = qin;
  PetscFunctionReturn(0);
}

/* inlet with prescribed pressure: area from the tube law, flow from the outgoing characteristic */
static PetscErrorCode SolveInletPressure(HtOneD od, HtOneDVesselData *v, const PetscReal pred[2], PetscReal pin, PetscReal t, PetscReal Ub[2])
{
  EndChar   e;
  PetscReal sA, u, c;

  PetscFunctionBeginUser;
  MakeEnd(od, v, 0, pred, &e);
  sA = PetscSqrtReal(e.A0) + (pin - e.Pext) / e.G;
  if (!(sA > 0)) PetscCall(BlowUp(od, v, "the inlet (prescribed pressure below collapse)", t));
  EndEval(&e, sA * sA, &u, &c);
  Ub[0] = sA * sA;
  Ub[1] = sA * sA * u;
  PetscFunctionReturn(0);
}

/* terminal outlet: reflection, resistance, Windkessel (capacitor pressure Pc advanced to n+1) */
static PetscErrorCode SolveOutlet(HtOneD od, HtOneDVesselData *v, const PetscReal pred[2], PetscReal dt, PetscReal t, PetscReal Ub[2])
{
  EndChar       e;
  HtOneDVessel *p = &v->par;
  PetscReal     A = pred[0], u, c;

  PetscFunctionBeginUser;
  MakeEnd(od, v, 1, pred, &e);
  if (p->outlet == HT_ONED_END_PRESSURE) {
    /* p(A) = Pout on the outgoing characteristic */
    PetscReal sA = PetscSqrtReal(e.A0) + (p->Pout_Pa - e.Pext) / e.G;
    if (!(sA > 0)) PetscCall(BlowUp(od, v, "the outlet (prescribed pressure below collapse)", t));
    A = sA * sA;
    EndEval(&e, A, &u, &c);
    Ub[0] = A;
    Ub[1] = A * u;
    PetscFunctionReturn(0);
  }
  if (p->outlet == HT_ONED_END_REFLECTION) {
    PetscReal c0 = e.ct * PetscSqrtReal(PetscSqrtReal(e.A0)), W2 = -4 * c0 - p->Rt * (e.W - 4 * c0), cc = (e.W - W2) / 8;
    if (!(cc > 0)) PetscCall(BlowUp(od, v, "the outlet", t));
    A     = PetscPowReal(cc / e.ct, 4);
    Ub[0] = A;
    Ub[1] = A * 0.5 * (e.W + W2);
    PetscFunctionReturn(0);
  }
  {
    PetscReal a, b = 0, Rt;
    if (p->outlet == HT_ONED_END_RESISTANCE) {
      a = p->Pout_Pa;
    } else { /* implicit half step of C dPc/dt = Q - (Pc - Pout)/R2: Pc = a + b Q */
      PetscReal k = 0.5 * dt / (p->R2_Pa_s_m3 * p->C_m3_Pa);
      a           = (v->Pc + k * p->Pout_Pa) / (1 + k);
      b           = 0.5 * dt / p->C_m3_Pa / (1 + k);
    }
    Rt = p->R1_Pa_s_m3 + b;
    for (PetscInt it = 0; it < 60; it++) {
      PetscReal f, df, dA, sA = PetscSqrtReal(A);
      EndEval(&e, A, &u, &c);
      f  = e.Pext + e.G * (sA - PetscSqrtReal(e.A0)) - a - Rt * A * u;
      df = e.G / (2 * sA) - Rt * (u - c);
      dA = -f / df;
      if (A + dA <= 0) dA = -0.5 * A; /* stay in the admissible set */
      A += dA;
      if (!(A > 0) || !isfinite(A)) PetscCall(BlowUp(od, v, "the outlet", t));
      if (PetscAbsReal(dA) < 1e-13 * A) break;
    }
    EndEval(&e, A, &u, &c);
    Ub[0] = A;
    Ub[1] = A * u;
    if (p->outlet == HT_ONED_END_WK3) {
      PetscReal Pch = a + b * Ub[1], k = dt / (p->R2_Pa_s_m3 * p->C_m3_Pa);
      /* Crank-Nicolson over the full step; backward Euler when the capacitor is stiff (CN would ring) */
      if (k <= 1) v->Pc = 2 * Pch - v->Pc;
      else v->Pc = (v->Pc + dt / p->C_m3_Pa * (Ub[1] + p->Pout_Pa / p->R2_Pa_s_m3)) / (1 + k);
    }
  }
  PetscFunctionReturn(0);
}

/* junction of n vessel ends: mass conservation + (static or total) pressure continuity */
static PetscErrorCode SolveJunction(HtOneD od, HtOneDNode *nd, PetscReal (*pred)[4], PetscReal t)
{
  PetscInt  n = nd->nends;
  EndChar   e[16];
  PetscReal A[16], J[16][16], r[16], u[16], c[16];

  PetscFunctionBeginUser;
  PetscCheck(n <= 16, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: node %" PetscInt_FMT " joins %" PetscInt_FMT " vessels (at most 16 supported)", od->source, nd->id, n);
  for (PetscInt k = 0; k < n; k++) {
    HtOneDVesselData *v = &od->v[nd->vessel[k]];
    MakeEnd(od, v, nd->side[k], &pred[nd->vessel[k]][2 * nd->side[k]], &e[k]);
    A[k] = pred[nd->vessel[k]][2 * nd->side[k]];
  }
  for (PetscInt it = 0; it < 60; it++) {
    PetscReal P0 = 0, dP0 = 0, nrm = 0;
    for (PetscInt k = 0; k < n; k++) EndEval(&e[k], A[k], &u[k], &c[k]);
    /* row 0: sum of sg Q = 0 (sg = +1 flow into the node) */
    r[0] = 0;
    for (PetscInt k = 0; k < n; k++) {
      r[0] += e[k].sg * A[k] * u[k];
      J[0][k] = e[k].sg * (u[k] - e[k].sg * c[k]);
    }
    for (PetscInt k = 0; k < n; k++) {
      PetscReal sA = PetscSqrtReal(A[k]), P = e[k].Pext + e[k].G * (sA - PetscSqrtReal(e[k].A0)), dP = e[k].G / (2 * sA);
      if (od->total_pressure) {
        P += 0.5 * od->rho * u[k] * u[k];
        dP += od->rho * u[k] * (-e[k].sg * c[k] / A[k]);
      }
      if (k == 0) {
        P0  = P;
        dP0 = dP;
      } else {
        for (PetscInt j = 0; j < n; j++) J[k][j] = 0;
        r[k]    = P - P0;
        J[k][k] = dP;
        J[k][0] = -dP0;
      }
    }
    /* Gaussian elimination with partial pivoting on the small dense system J dA = -r */
    for (PetscInt k = 0; k < n; k++) r[k] = -r[k];
    for (PetscInt col = 0; col < n; col++) {
      PetscInt piv = col;
      for (PetscInt i = col + 1; i < n; i++)
        if (PetscAbsReal(J[i][col]) > PetscAbsReal(J[piv][col])) piv = i;
      if (piv != col) {
        for (PetscInt j = 0; j < n; j++) {
          PetscReal tmp = J[col][j];
          J[col][j]     = J[piv][j];
          J[piv][j]     = tmp;
        }
        PetscReal tmp = r[col];
        r[col]        = r[piv];
        r[piv]        = tmp;
      }
      if (J[col][col] == 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: junction at node %" PetscInt_FMT ": singular system at t = %.6g s", od->source, nd->id, (double)t);
      for (PetscInt i = col + 1; i < n; i++) {
        PetscReal f = J[i][col] / J[col][col];
        for (PetscInt j = col; j < n; j++) J[i][j] -= f * J[col][j];
        r[i] -= f * r[col];
      }
    }
    for (PetscInt i = n - 1; i >= 0; i--) {
      PetscReal s = r[i];
      for (PetscInt j = i + 1; j < n; j++) s -= J[i][j] * r[j];
      r[i] = s / J[i][i];
    }
    for (PetscInt k = 0; k < n; k++) {
      PetscReal dA = r[k];
      if (A[k] + dA <= 0) dA = -0.5 * A[k];
      A[k] += dA;
      if (!(A[k] > 0) || !isfinite(A[k])) PetscCall(BlowUp(od, &od->v[nd->vessel[k]], nd->side[k] ? "its outlet (junction)" : "its inlet (junction)", t));
      nrm = PetscMax(nrm, PetscAbsReal(dA) / A[k]);
    }
    if (nrm < 1e-13) break;
    if (it == 59) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: junction at node %" PetscInt_FMT ": Newton did not converge at t = %.6g s", od->source, nd->id, (double)t);
  }
  for (PetscInt k = 0; k < n; k++) {
    HtOneDVesselData *v = &od->v[nd->vessel[k]];
    EndEval(&e[k], A[k], &u[k], &c[k]);
    v->Ub[nd->side[k]][0] = A[k];
    v->Ub[nd->side[k]][1] = A[k] * u[k];
  }
  PetscFunctionReturn(0);
}

/* ---- probes and frames ----------------------------------------------------------------------- */
static void ProbeValues(HtOneDVesselData *v, const PetscReal *x, PetscReal out[HT_ONED_NPROBE][3])
{
  for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
    PetscReal A, Q, A0, G;
    if (s == 0 || s == HT_ONED_NPROBE - 1) {
      PetscInt side = s ? 1 : 0;
      A             = v->Ub[side][0];
      Q             = v->Ub[side][1];
      A0            = v->A0b[side];
      G             = v->Gb[side];
    } else {
      PetscReal xs = v->par.L_m * s / (HT_ONED_NPROBE - 1.0), fc = xs / v->dx - 0.5;
      PetscInt  i  = (PetscInt)PetscFloorReal(fc);
      PetscReal w;
      if (i < 0) i = 0;
      if (i > v->M - 2) i = v->M - 2;
      w  = fc - i;
      A  = (1 - w) * x[2 * i] + w * x[2 * i + 2];
      Q  = (1 - w) * x[2 * i + 1] + w * x[2 * i + 3];
      A0 = (1 - w) * v->A0[i] + w * v->A0[i + 1];
      G  = (1 - w) * v->G[i] + w * v->G[i + 1];
    }
    out[s][0] = HtOneD_Pressure(A, A0, G, v->par.Pext_Pa);
    out[s][1] = Q;
    out[s][2] = A;
  }
}

/* ---- one vessel: predictor and corrector ------------------------------------------------------ */
/* work layout: UL (2M), UR (2M) predicted face states */
/* friction + tapering source of the momentum equation at cell i */
static inline PetscReal Source(const HtOneDVesselData *v, PetscInt i, PetscReal A, PetscReal Q, PetscReal fr, PetscReal rho)
{
  PetscReal S = -fr * Q / A;
  if (v->tapered) {
    PetscReal sA = PetscSqrtReal(A);
    S -= (v->dG[i] * (2.0 / 3.0 * A * sA - A * v->sA0[i]) - v->G[i] * A * v->dsA0[i]) / rho;
  }
  return S;
}

static void Predict(HtOneD od, HtOneDVesselData *v, const PetscReal *x, PetscReal dt, PetscReal *UL, PetscReal *UR)
{
  const PetscInt  M = v->M;
  const PetscReal rho = od->rho, h = 0.5 * dt / v->dx;
  const PetscReal fr = 2.0 * (v->par.gamma_profile + 2.0) * PETSC_PI * od->mu / rho;
  PetscReal       gl[2], gr[2];

  gl[0] = 2 * v->Ub[0][0] - x[0];
  gl[1] = 2 * v->Ub[0][1] - x[1];
  gr[0] = 2 * v->Ub[1][0] - x[2 * M - 2];
  gr[1] = 2 * v->Ub[1][1] - x[2 * M - 1];
  for (PetscInt i = 0; i < M; i++) {
    for (PetscInt k = 0; k < 2; k++) {
      PetscReal um = i ? x[2 * (i - 1) + k] : gl[k], u0 = x[2 * i + k], up = i < M - 1 ? x[2 * (i + 1) + k] : gr[k];
      PetscReal d = MCLimit(u0 - um, up - u0);
      UL[2 * i + k] = u0 - 0.5 * d;
      UR[2 * i + k] = u0 + 0.5 * d;
    }
    {
      PetscReal fl0, fl1, fr0, fr1, A = x[2 * i], Q = x[2 * i + 1], S;
      Flux(UL[2 * i], UL[2 * i + 1], v->Gf[i], rho, &fl0, &fl1);
      Flux(UR[2 * i], UR[2 * i + 1], v->Gf[i + 1], rho, &fr0, &fr1);
      S = Source(v, i, A, Q, fr, rho);
      UL[2 * i] += h * (fl0 - fr0);
      UR[2 * i] += h * (fl0 - fr0);
      UL[2 * i + 1] += h * (fl1 - fr1) + 0.5 * dt * S;
      UR[2 * i + 1] += h * (fl1 - fr1) + 0.5 * dt * S;
    }
  }
}

/* conservative update; returns the largest (|u| + c)/dx of the new state, or PETSC_MAX_REAL with *bad the
 * first cell whose area is not positive or whose state is not finite */
static PetscReal Correct(HtOneD od, HtOneDVesselData *v, PetscReal *x, PetscReal dt, const PetscReal *UL, const PetscReal *UR, PetscReal *F, PetscInt *bad)
{
  PetscReal smax = 0;
  const PetscInt  M = v->M;
  const PetscReal rho = od->rho, r = dt / v->dx;
  const PetscReal fr = 2.0 * (v->par.gamma_profile + 2.0) * PETSC_PI * od->mu / rho;

  /* face fluxes F[2f], f = 0..M */
  Flux(v->Ub[0][0], v->Ub[0][1], v->Gf[0], rho, &F[0], &F[1]);
  Flux(v->Ub[1][0], v->Ub[1][1], v->Gf[M], rho, &F[2 * M], &F[2 * M + 1]);
  for (PetscInt f = 1; f < M; f++) {
    PetscReal AL = UR[2 * (f - 1)], QL = UR[2 * (f - 1) + 1], AR = UL[2 * f], QR = UL[2 * f + 1], G = v->Gf[f];
    PetscReal sAL = PetscSqrtReal(AL), sAR = PetscSqrtReal(AR), k = G / (3.0 * rho), uL = QL / AL, uR = QR / AR;
    PetscReal sl = PetscAbsReal(uL) + PetscSqrtReal(1.5 * k * sAL), sr = PetscAbsReal(uR) + PetscSqrtReal(1.5 * k * sAR), s = PetscMax(sl, sr);
    F[2 * f]     = 0.5 * (QL + QR) - 0.5 * s * (AR - AL);
    F[2 * f + 1] = 0.5 * (QL * uL + k * AL * sAL + QR * uR + k * AR * sAR) - 0.5 * s * (QR - QL);
  }
  for (PetscInt i = 0; i < M; i++) {
    PetscReal A = 0.5 * (UL[2 * i] + UR[2 * i]), Q = 0.5 * (UL[2 * i + 1] + UR[2 * i + 1]), S;
    S = Source(v, i, A, Q, fr, rho);
    x[2 * i] -= r * (F[2 * i + 2] - F[2 * i]);
    x[2 * i + 1] -= r * (F[2 * i + 3] - F[2 * i + 1]) - dt * S;
    {
      PetscReal An = x[2 * i], Qn = x[2 * i + 1], sp;
      if (!(An > 0) || !isfinite(An) || !isfinite(Qn)) {
        *bad = i;
        return PETSC_MAX_REAL;
      }
      sp   = PetscAbsReal(Qn / An) + PetscSqrtReal(v->G[i] * PetscSqrtReal(An) / (2.0 * rho));
      smax = PetscMax(smax, sp);
    }
  }
  *bad = -1;
  return smax / v->dx;
}

/* global max of the CFL speed from the per-vessel speeds (vspeed, vbad of owned vessels); a rank that
 * found a bad cell makes every rank stop with the same message */
static PetscErrorCode GlobalSpeed(HtOneD od, const PetscReal *vspeed, const PetscInt *vbad, PetscReal *smax)
{
  PetscReal loc[2] = {0, -1}, glob[2];
  PetscInt  bv = -1, bc = -1;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < od->nv; i++) {
    if (!od->v[i].owned) continue;
    if (vbad[i] >= 0) {
      bv     = i;
      bc     = vbad[i];
      loc[1] = i;
      break;
    }
    loc[0] = PetscMax(loc[0], vspeed[i]);
  }
  if (od->size > 1) PetscCall(MPIU_Allreduce(loc, glob, 2, MPIU_REAL, MPIU_MAX, od->comm));
  else {
    glob[0] = loc[0];
    glob[1] = loc[1];
  }
  if (glob[1] >= 0) {
    PetscReal info[2] = {-1, -1}, ginfo[2];
    if (bv == (PetscInt)glob[1]) {
      info[0] = bc;
      info[1] = bv;
    }
    if (od->size > 1) PetscCall(MPIU_Allreduce(info, ginfo, 2, MPIU_REAL, MPIU_MAX, od->comm));
    else {
      ginfo[0] = info[0];
      ginfo[1] = info[1];
    }
    {
      HtOneDVesselData *v = &od->v[(PetscInt)glob[1]];
      char              where[96];
      PetscCall(PetscSNPrintf(where, sizeof where, "x = %.4g m of %.4g m", (double)((ginfo[0] + 0.5) * v->dx), (double)v->par.L_m));
      PetscCall(BlowUp(od, v, where, od->time));
    }
  }
  *smax = glob[0];
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_Solve(HtOneD od)
{
  PetscReal  *x, *UL, *UR, *F, *vspeed;
  PetscInt   *vbad;
  PetscReal   (*ends)[4], (*gends)[4], (*prevpr)[HT_ONED_NPROBE][3], (*curpr)[HT_ONED_NPROBE][3];
  PetscReal   smax, dt, T = od->T;
  long long   ksamp = 0, kframe = 0;
  PetscInt    cycle = 0;
  PetscBool   done  = PETSC_FALSE;
  HtOneDNode *inl;

  PetscFunctionBeginUser;
  PetscCheck(od->setup, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: Solve called before SetUp", od->source);
  inl = &od->nodes[od->inlet_node];
  for (PetscInt i = 0; i < od->nv; i++)
    if (od->v[i].par.alpha > 0 && od->v[i].par.alpha != 1.0) {
      HtLog_Warn("1D %s: the transient scheme uses momentum-flux coefficient 1 (vessel %s asks for %g)", od->source, od->v[i].par.label, (double)od->v[i].par.alpha);
      break;
    }
  for (PetscInt i = 0; i < od->nv; i++)
    PetscCheck(od->v[i].par.law == HT_ONED_LAW_ELASTIC && !od->v[i].par.stenosis, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s uses the Olufsen tube law or a lumped stenosis loss: supported by the steady solver only (HtOneD_SolveSteady / -oned_steady)", od->source, od->v[i].par.label);
  PetscCall(PetscMalloc4(od->nv + 1, &ends, od->nv + 1, &gends, od->nv, &prevpr, od->nv, &curpr));
  PetscCall(PetscMalloc2(od->nv, &vspeed, od->nv, &vbad));
  {
    PetscInt nloc;
    PetscCall(VecGetLocalSize(od->X, &nloc));
    PetscCall(PetscMalloc2(nloc + 1, &UL, nloc + 1, &UR));
  }
  F = od->work;
  PetscCall(VecGetArray(od->X, &x));
  /* rest state: A = A0, Q = 0; Windkessel capacitors at the external pressure */
  for (PetscInt i = 0; i < od->nv; i++) {
    HtOneDVesselData *v = &od->v[i];
    if (v->owned)
      for (PetscInt c = 0; c < v->M; c++) {
        x[v->xoff + 2 * c]     = v->A0[c];
        x[v->xoff + 2 * c + 1] = 0;
      }
    for (PetscInt s = 0; s < 2; s++) {
      v->Ub[s][0] = v->A0b[s];
      v->Ub[s][1] = 0;
    }
    v->Pc = v->par.Pext_Pa;
    for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
      PetscCall(PetscArrayzero(v->pr_P[s], od->nsamp));
      PetscCall(PetscArrayzero(v->pr_Q[s], od->nsamp));
      PetscCall(PetscArrayzero(v->pr_A[s], od->nsamp));
    }
    PetscCall(PetscArrayzero(v->fr_A, od->nframes * v->M));
    PetscCall(PetscArrayzero(v->fr_Q, od->nframes * v->M));
    if (v->owned) ProbeValues(v, x + v->xoff, prevpr[i]);
  }
  od->time   = 0;
  od->nsteps = 0;
  od->dp_rms = -1;
  for (PetscInt i = 0; i < od->nv; i++) {
    HtOneDVesselData *v = &od->v[i];
    vbad[i]             = -1;
    vspeed[i]           = 0;
    if (v->owned)
      for (PetscInt c = 0; c < v->M; c++) vspeed[i] = PetscMax(vspeed[i], HtOneD_WaveSpeed(v->A0[c], v->G[c], od->rho) / v->dx);
  }
  PetscCall(GlobalSpeed(od, vspeed, vbad, &smax));
  /* sample 0 (t = 0) */
  for (PetscInt i = 0; i < od->nv; i++)
    if (od->v[i].owned)
      for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
        od->v[i].pr_P[s][0] = prevpr[i][s][0];
        od->v[i].pr_Q[s][0] = prevpr[i][s][1];
        od->v[i].pr_A[s][0] = prevpr[i][s][2];
      }
  ksamp = 1;
  while (!done) {
    PetscReal t = od->time, th, qin;
    dt          = od->cfl / smax;
    th          = t + 0.5 * dt;
    /* 1. predictor on owned vessels; their predicted end states (non-owned rows: -max, so that the
     *    MAX reduction returns the owner's values exactly); the last row carries this rank's CFL speed of
     *    the current state and its first bad vessel, so one reduction per step serves both (the time
     *    step therefore lags the state by one step, identically for any number of ranks) */
    for (PetscInt i = 0; i < 4 * (od->nv + 1); i++) (&ends[0][0])[i] = -PETSC_MAX_REAL;
    ends[od->nv][0] = 0;
    ends[od->nv][1] = -1;
    for (PetscInt i = 0; i < od->nv; i++) {
      if (!od->v[i].owned) continue;
      if (vbad[i] >= 0 && ends[od->nv][1] < 0) ends[od->nv][1] = i;
      ends[od->nv][0] = PetscMax(ends[od->nv][0], vspeed[i]);
    }
    for (PetscInt i = 0; i < od->nv; i++) {
      HtOneDVesselData *v = &od->v[i];
      PetscReal        *ul, *ur;
      if (!v->owned) continue;
      ul = UL + v->xoff;
      ur = UR + v->xoff;
      Predict(od, v, x + v->xoff, dt, ul, ur);
      ends[i][0] = ul[0];
      ends[i][1] = ul[1];
      ends[i][2] = ur[2 * v->M - 2];
      ends[i][3] = ur[2 * v->M - 1];
    }
    /* 2. every rank gets every end */
    if (od->size > 1) PetscCall(MPIU_Allreduce(&ends[0][0], &gends[0][0], 4 * (od->nv + 1), MPIU_REAL, MPIU_MAX, od->comm));
    else PetscCall(PetscArraycpy(&gends[0][0], &ends[0][0], 4 * (od->nv + 1)));
    if (gends[od->nv][1] >= 0) PetscCall(GlobalSpeed(od, vspeed, vbad, &smax)); /* raises the blow-up error on every rank */
    smax = PetscMax(gends[od->nv][0], 1e-30);
    for (PetscInt i = 0; i < od->nv; i++)
      if (!(gends[i][0] > 0 && gends[i][2] > 0) || !isfinite(gends[i][0] + gends[i][1] + gends[i][2] + gends[i][3])) PetscCall(BlowUp(od, &od->v[i], "its ends (predictor)", t));
    /* 3. boundary states at t + dt/2 (identical on all ranks) */
    PetscCall(HtOneD_Inflow(od, th, &qin));
    if (od->inlet_pressure) PetscCall(SolveInletPressure(od, &od->v[inl->vessel[0]], &gends[inl->vessel[0]][0], qin, th, od->v[inl->vessel[0]].Ub[0]));
    else PetscCall(SolveInlet(od, &od->v[inl->vessel[0]], &gends[inl->vessel[0]][0], qin, th, od->v[inl->vessel[0]].Ub[0]));
    for (PetscInt k = 0; k < od->nnodes; k++) {
      HtOneDNode *nd = &od->nodes[k];
      if (k == od->inlet_node) continue;
      if (nd->nends == 1) PetscCall(SolveOutlet(od, &od->v[nd->vessel[0]], &gends[nd->vessel[0]][2], dt, th, od->v[nd->vessel[0]].Ub[1]));
      else PetscCall(SolveJunction(od, nd, gends, th));
    }
    /* 4. corrector on owned vessels */
    for (PetscInt i = 0; i < od->nv; i++) {
      HtOneDVesselData *v = &od->v[i];
      if (!v->owned) continue;
      vspeed[i] = Correct(od, v, x + v->xoff, dt, UL + v->xoff, UR + v->xoff, F, &vbad[i]);
    }
    od->time = t + dt;
    od->nsteps++;
    /* probes: linear interpolation in time to the sample instants passed by this step */
    for (PetscInt i = 0; i < od->nv; i++)
      if (od->v[i].owned) ProbeValues(&od->v[i], x + od->v[i].xoff, curpr[i]);
    while (!done && ksamp * (T / od->nsamp) <= od->time + 1e-12 * T) {
      PetscReal ts = ksamp * (T / od->nsamp), w = (ts - t) / dt;
      PetscInt  j  = (PetscInt)(ksamp % od->nsamp);
      for (PetscInt i = 0; i < od->nv; i++) {
        HtOneDVesselData *v = &od->v[i];
        if (!v->owned) continue;
        for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
          v->pr_P[s][j] = (1 - w) * prevpr[i][s][0] + w * curpr[i][s][0];
          v->pr_Q[s][j] = (1 - w) * prevpr[i][s][1] + w * curpr[i][s][1];
          v->pr_A[s][j] = (1 - w) * prevpr[i][s][2] + w * curpr[i][s][2];
        }
      }
      if (j == od->nsamp - 1) { /* a cycle is complete */
        PetscReal loc[2] = {0, 0}, glob[2];
        cycle++;
        for (PetscInt i = 0; i < od->nv; i++) {
          HtOneDVesselData *v = &od->v[i];
          if (!v->owned) continue;
          for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
            for (PetscInt q = 0; q < od->nsamp; q++) {
              PetscReal d = v->pr_P[s][q] - v->prev_P[s][q];
              loc[0] += d * d;
              loc[1] += 1;
            }
            PetscCall(PetscArraycpy(v->prev_P[s], v->pr_P[s], od->nsamp));
          }
        }
        PetscCall(MPIU_Allreduce(loc, glob, 2, MPIU_REAL, MPIU_SUM, od->comm));
        if (cycle >= 2) od->dp_rms = PetscSqrtReal(glob[0] / glob[1]);
        HtLog_Info("1D %s: cycle %" PetscInt_FMT ", %lld steps, RMS pressure change %.4g mmHg", od->source, cycle, od->nsteps, cycle >= 2 ? (double)(od->dp_rms / HT_MMHG_TO_PA) : -1.0);
        if ((cycle >= od->min_cycles && cycle >= 2 && od->dp_rms < od->tol_Pa) || cycle >= od->max_cycles) done = PETSC_TRUE;
      }
      ksamp++;
    }
    /* frames: state at the first step at or after each frame instant */
    while (!done && kframe * (T / od->nframes) <= od->time) {
      PetscInt j = (PetscInt)(kframe % od->nframes);
      for (PetscInt i = 0; i < od->nv; i++) {
        HtOneDVesselData *v = &od->v[i];
        if (!v->owned) continue;
        for (PetscInt c = 0; c < v->M; c++) {
          v->fr_A[j * v->M + c] = x[v->xoff + 2 * c];
          v->fr_Q[j * v->M + c] = x[v->xoff + 2 * c + 1];
        }
      }
      kframe++;
    }
    for (PetscInt i = 0; i < od->nv; i++)
      if (od->v[i].owned) PetscCall(PetscArraycpy(&prevpr[i][0][0], &curpr[i][0][0], 3 * HT_ONED_NPROBE));
  }
  PetscCall(VecRestoreArray(od->X, &x));
  /* make the last cycle's series and frames known on every rank (owners hold them, others zero) */
  if (od->size > 1) {
    for (PetscInt i = 0; i < od->nv; i++) {
      HtOneDVesselData *v = &od->v[i];
      if (!v->owned) {
        for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
          PetscCall(PetscArrayzero(v->pr_P[s], od->nsamp));
          PetscCall(PetscArrayzero(v->pr_Q[s], od->nsamp));
          PetscCall(PetscArrayzero(v->pr_A[s], od->nsamp));
        }
        PetscCall(PetscArrayzero(v->fr_A, od->nframes * v->M));
        PetscCall(PetscArrayzero(v->fr_Q, od->nframes * v->M));
      }
      for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
        PetscCall(MPIU_Allreduce(MPI_IN_PLACE, v->pr_P[s], od->nsamp, MPIU_REAL, MPIU_SUM, od->comm));
        PetscCall(MPIU_Allreduce(MPI_IN_PLACE, v->pr_Q[s], od->nsamp, MPIU_REAL, MPIU_SUM, od->comm));
        PetscCall(MPIU_Allreduce(MPI_IN_PLACE, v->pr_A[s], od->nsamp, MPIU_REAL, MPIU_SUM, od->comm));
      }
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, v->fr_A, od->nframes * v->M, MPIU_REAL, MPIU_SUM, od->comm));
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, v->fr_Q, od->nframes * v->M, MPIU_REAL, MPIU_SUM, od->comm));
    }
  }
  PetscCall(PetscFree4(ends, gends, prevpr, curpr));
  PetscCall(PetscFree2(vspeed, vbad));
  PetscCall(PetscFree2(UL, UR));
  od->ncycles = cycle;
  od->solved  = PETSC_TRUE;
  if (od->dp_rms >= od->tol_Pa) HtLog_Warn("1D %s: not periodic after %" PetscInt_FMT " cycles (RMS pressure change %.4g mmHg > %.4g mmHg)", od->source, cycle, (double)(od->dp_rms / HT_MMHG_TO_PA), (double)(od->tol_Pa / HT_MMHG_TO_PA));
  PetscFunctionReturn(0);
}
