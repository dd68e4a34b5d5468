/* hemotwin 1D engine: steady state for time-independent boundary data.
 * Steady flow: Q is constant along a vessel and the momentum equation
 *   d(alpha Q^2/A)/dx + (A/rho) dp/dx = -fr Q/A,  fr = 2 (zeta + 2) pi mu / rho
 * with A = A(p, x) from the tube law becomes an ODE for p(x), integrated upstream from the outlet
 * with RK4. Junction pressures (trees) follow from mass conservation by nested Newton iterations. */
#include "oned_impl.h"

#define NSTEP 400 /* RK4 steps per vessel (multiple of 4: the probe sites are step boundaries) */

/* tube law at position x: area for pressure p, dP/dA and dP/dx at fixed A */
static PetscErrorCode Law(HtOneD od, HtOneDVesselData *v, PetscReal x, PetscReal p, PetscReal *A, PetscReal *PA, PetscReal *Px)
{
  const HtOneDVessel *q = &v->par;
  PetscReal           R0, A0, h = 1e-6 * q->L_m;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 3; k++) {
    PetscReal xx = x + (k - 1) * h, Ak, PAk;
    R0 = q->Rp_m + (q->Rd_m - q->Rp_m) * xx / q->L_m;
    A0 = PETSC_PI * R0 * R0;
    if (q->law == HT_ONED_LAW_OLUFSEN) {
      PetscReal K = q->k1_Pa * PetscExpReal(q->k2_1_m * R0) + q->k3_Pa, s = 1 - 0.75 * (p - q->Pext_Pa) / K;
      PetscCheck(s > 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: vessel %s: steady pressure %g Pa beyond the Olufsen tube law's range", od->source, q->label, (double)p);
      Ak  = A0 / (s * s);
      PAk = 4.0 / 3.0 * K * 0.5 * PetscSqrtReal(A0) * PetscPowReal(Ak, -1.5);
    } else {
      PetscReal h0 = q->h0_m > 0 ? q->h0_m : R0 * (0.2802 * PetscExpReal(-505.3 * R0) + 0.1324 * PetscExpReal(-11.14 * R0));
      PetscReal G = 4.0 / 3.0 * PetscSqrtReal(PETSC_PI) * q->E_Pa * h0 / A0, s = PetscSqrtReal(A0) + (p - q->Pext_Pa) / G;
      PetscCheck(s > 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: vessel %s: steady pressure %g Pa collapses the vessel", od->source, q->label, (double)p);
      Ak  = s * s;
      PAk = G / (2 * s);
    }
    if (k == 1) {
      *A  = Ak;
      *PA = PAk;
    }
    if (k == 0) *Px = Ak; /* A(p, x - h) */
    if (k == 2) *Px = (Ak - *Px) / (2 * h); /* dA/dx at fixed p */
  }
  /* dP/dx at fixed A = -(dA/dx at fixed p) * dP/dA */
  *Px = -(*Px) * (*PA);
  PetscFunctionReturn(0);
}

static PetscErrorCode Rhs(HtOneD od, HtOneDVesselData *v, PetscReal Q, PetscReal x, PetscReal p, PetscReal *dpdx)
{
  PetscReal A, PA, Px, Q2, fr = 2.0 * (v->par.gamma_profile + 2.0) * PETSC_PI * od->mu / od->rho, den;

  PetscFunctionBeginUser;
  PetscCall(Law(od, v, x, p, &A, &PA, &Px));
  /* -alpha Q^2/A^2 dA/dx + (A/rho) dp/dx = -fr Q/A with dA/dx = (dp/dx - Px)/PA */
  {
    PetscReal al = v->par.alpha > 0 ? v->par.alpha : 1.0;
    Q2 = al * Q * Q;
  }
  den = A / od->rho - Q2 / (A * A * PA);
  PetscCheck(den > 0, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: vessel %s: steady flow %g m^3/s is supercritical (u >= c)", od->source, v->par.label, (double)Q);
  *dpdx = (-fr * Q / A - Q2 / (A * A * PA) * Px) / den;
  PetscFunctionReturn(0);
}

/* inlet pressure of vessel v carrying Q, given its outlet pressure; optionally records the probes */
static PetscErrorCode Integrate(HtOneD od, HtOneDVesselData *v, PetscReal Q, PetscReal pout, PetscBool rec, PetscReal *pin)
{
  PetscReal L = v->par.L_m, hx = -L / NSTEP, x = L, p = pout;

  PetscFunctionBeginUser;
  if (v->par.stenosis) {
    /* lumped loss across the stenosis (svOneDSolver's Young-Tsai model), linear along it for the probes */
    HtOneDNode *up = &od->nodes[v->node[0]];
    PetscReal   S1 = v->A0b[0], S0 = -1, D0, D1, La, Kv, nu = od->mu / od->rho, dp;
    for (PetscInt e = 0; e < up->nends; e++)
      if (up->side[e] == 1) S0 = od->v[up->vessel[e]].A0b[1];
    PetscCheck(S0 > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: stenosis vessel %s needs an upstream vessel (its area is the reference S0)", od->source, v->par.label);
    D0 = 2 * PetscSqrtReal(S0 / PETSC_PI);
    D1 = 2 * PetscSqrtReal(S1 / PETSC_PI);
    La = 0.83 * L + 1.64 * D1;
    Kv = 32 * La / D0 * (S0 / S1) * (S0 / S1);
    /* dp = rho (Q/S0)^2 (Kv/Re0 + Kt/2 (S0/S1 - 1)^2), Re0 = D0 Q / (S0 nu) */
    dp = od->rho * (Kv * nu * Q / (D0 * S0) + 0.76 * (S0 / S1 - 1) * (S0 / S1 - 1) * Q * PetscAbsReal(Q) / (S0 * S0));
    if (rec)
      for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
        PetscReal ps = pout + dp * (1 - s / 4.0), A, PA, Px;
        PetscCall(Law(od, v, L * s / 4.0, ps, &A, &PA, &Px));
        for (PetscInt j = 0; j < od->nsamp; j++) {
          v->pr_P[s][j] = ps;
          v->pr_Q[s][j] = Q;
          v->pr_A[s][j] = A;
        }
      }
    *pin = pout + dp;
    PetscFunctionReturn(0);
  }
  for (PetscInt k = 0; k <= NSTEP; k++) {
    if (rec && k % (NSTEP / 4) == 0) {
      PetscInt  s = 4 - k / (NSTEP / 4);
      PetscReal A, PA, Px;
      PetscCall(Law(od, v, x, p, &A, &PA, &Px));
      for (PetscInt j = 0; j < od->nsamp; j++) {
        v->pr_P[s][j] = p;
        v->pr_Q[s][j] = Q;
        v->pr_A[s][j] = A;
      }
    }
    if (k == NSTEP) break;
    {
      PetscReal k1, k2, k3, k4;
      PetscCall(Rhs(od, v, Q, x, p, &k1));
      PetscCall(Rhs(od, v, Q, x + 0.5 * hx, p + 0.5 * hx * k1, &k2));
      PetscCall(Rhs(od, v, Q, x + 0.5 * hx, p + 0.5 * hx * k2, &k3));
      PetscCall(Rhs(od, v, Q, x + hx, p + hx * k3, &k4));
      p += hx / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
      x += hx;
    }
  }
  *pin = p;
  PetscFunctionReturn(0);
}

static PetscErrorCode InletPressure(HtOneD od, PetscInt iv, PetscReal Q, PetscBool rec, PetscReal *pin);

/* flow into vessel iv whose inlet pressure is p (inverse of InletPressure, secant-Newton) */
static PetscErrorCode FlowForPressure(HtOneD od, PetscInt iv, PetscReal p, PetscReal Qguess, PetscReal *Q)
{
  PetscReal q0 = Qguess, q1, f0, f1;

  PetscFunctionBeginUser;
  PetscCall(InletPressure(od, iv, q0, PETSC_FALSE, &f0));
  f0 -= p;
  q1 = q0 + (PetscAbsReal(q0) > 1e-12 ? 1e-3 * q0 : 1e-9);
  for (PetscInt it = 0; it < 100; it++) {
    PetscReal q2;
    PetscCall(InletPressure(od, iv, q1, PETSC_FALSE, &f1));
    f1 -= p;
    if (f1 == f0) break;
    q2 = q1 - f1 * (q1 - q0) / (f1 - f0);
    q0 = q1;
    f0 = f1;
    q1 = q2;
    if (PetscAbsReal(q1 - q0) <= 1e-14 * PetscMax(PetscAbsReal(q1), 1e-12)) break;
  }
  *Q = q1;
  PetscFunctionReturn(0);
}

/* junction pressure p_j such that the children take Q in total; returns their flows */
static PetscErrorCode SplitFlow(HtOneD od, HtOneDNode *nd, PetscReal Q, PetscReal pguess, PetscReal *pj, PetscReal *qk)
{
  PetscInt  nc = 0;
  PetscReal p0 = pguess, p1, f0 = 0, f1;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < nd->nends; e++) nc += nd->side[e] == 0;
  for (PetscInt e = 0; e < nd->nends; e++) {
    PetscReal q;
    if (nd->side[e]) continue;
    PetscCall(FlowForPressure(od, nd->vessel[e], p0, Q / nc, &q));
    qk[e] = q;
    f0 += q;
  }
  f0 -= Q;
  p1 = p0 + PetscMax(1e-6 * PetscAbsReal(p0), 1e-3);
  for (PetscInt it = 0; it < 100; it++) {
    PetscReal p2;
    f1 = 0;
    for (PetscInt e = 0; e < nd->nends; e++) {
      PetscReal q;
      if (nd->side[e]) continue;
      PetscCall(FlowForPressure(od, nd->vessel[e], p1, qk[e], &q));
      qk[e] = q;
      f1 += q;
    }
    f1 -= Q;
    if (f1 == f0 || PetscAbsReal(f1) <= 1e-15 * PetscMax(PetscAbsReal(Q), 1e-12)) break;
    p2 = p1 - f1 * (p1 - p0) / (f1 - f0);
    p0 = p1;
    f0 = f1;
    p1 = p2;
    if (PetscAbsReal(p1 - p0) <= 1e-13 * PetscAbsReal(p1)) break;
  }
  *pj = p1;
  PetscFunctionReturn(0);
}

static PetscErrorCode InletPressure(HtOneD od, PetscInt iv, PetscReal Q, PetscBool rec, PetscReal *pin)
{
  HtOneDVesselData *v  = &od->v[iv];
  HtOneDNode       *nd = &od->nodes[v->node[1]];
  PetscReal         pout = 0;

  PetscFunctionBeginUser;
  if (nd->nends == 1) {
    const HtOneDVessel *q = &v->par;
    switch (q->outlet) {
    case HT_ONED_END_RESISTANCE: pout = q->Pout_Pa + q->R1_Pa_s_m3 * Q; break;
    case HT_ONED_END_WK3: pout = q->Pout_Pa + (q->R1_Pa_s_m3 + q->R2_Pa_s_m3) * Q; break;
    case HT_ONED_END_PRESSURE: pout = q->Pout_Pa; break;
    default: SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: a reflection-coefficient outlet has no steady state", od->source, q->label);
    }
  } else {
    PetscReal *qk, pg;
    PetscInt   nin = 0;
    for (PetscInt e = 0; e < nd->nends; e++) nin += nd->side[e];
    PetscCheck(nin == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: node %" PetscInt_FMT ": the steady solver handles trees only (%" PetscInt_FMT " vessels end there)", od->source, nd->id, nin);
    PetscCall(PetscMalloc1(nd->nends, &qk));
    pg = v->Ub[1][0] > 0 ? v->Ub[1][0] : v->par.Pext_Pa + 1e3; /* last junction pressure as the guess */
    PetscCall(SplitFlow(od, nd, Q, pg, &pout, qk));
    v->Ub[1][0] = pout;
    if (rec)
      for (PetscInt e = 0; e < nd->nends; e++) {
        PetscReal pc;
        if (!nd->side[e]) PetscCall(InletPressure(od, nd->vessel[e], qk[e], PETSC_TRUE, &pc));
      }
    PetscCall(PetscFree(qk));
  }
  PetscCall(Integrate(od, v, Q, pout, rec, pin));
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SolveSteady(HtOneD od)
{
  PetscInt  root;
  PetscReal bc, pin, Q;

  PetscFunctionBeginUser;
  PetscCheck(od->setup, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: SolveSteady called before SetUp", od->source);
  root = od->nodes[od->inlet_node].vessel[0];
  for (PetscInt i = 0; i < od->nv; i++) od->v[i].Ub[1][0] = -1; /* no junction-pressure guess yet */
  bc = od->qin[0];
  if (od->inlet_pressure) {
    PetscCall(FlowForPressure(od, root, bc, 1e-6, &Q));
  } else Q = bc;
  PetscCall(InletPressure(od, root, Q, PETSC_TRUE, &pin));
  if (od->inlet_pressure) PetscCheck(PetscAbsReal(pin - bc) <= 1e-8 * PetscAbsReal(bc) + 1e-9, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "%s: steady inlet pressure not matched (%g vs %g Pa)", od->source, (double)pin, (double)bc);
  od->ncycles = 0;
  od->dp_rms  = 0;
  od->solved  = PETSC_TRUE;
  for (PetscInt i = 0; i < od->nv; i++) { /* frames: constant state, cell centres from the probes' neighbours */
    HtOneDVesselData *v = &od->v[i];
    for (PetscInt f = 0; f < od->nframes; f++)
      for (PetscInt c = 0; c < v->M; c++) {
        PetscReal xr = (c + 0.5) / v->M * 4, w;
        PetscInt  s  = (PetscInt)PetscMin(PetscFloorReal(xr), 3);
        w            = xr - s;
        v->fr_A[f * v->M + c] = (1 - w) * v->pr_A[s][0] + w * v->pr_A[s + 1][0];
        v->fr_Q[f * v->M + c] = v->pr_Q[0][0];
      }
  }
  PetscFunctionReturn(0);
}
