/* hemotwin 1D engine: model building, validation, topology and the DMNetwork. */
#include "oned_impl.h"
#include <ctype.h>

PetscErrorCode HtOneD_Create(MPI_Comm comm, HtOneD *od)
{
  HtOneD o;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(1, &o));
  o->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &o->rank));
  PetscCallMPI(MPI_Comm_size(comm, &o->size));
  o->rho         = 1060.0;
  o->mu          = 4.0e-3;
  o->cfl         = 0.9;
  o->max_cycles  = 30;
  o->min_cycles  = 3;
  o->tol_Pa      = HT_MMHG_TO_PA;
  o->cells_per_m = 1000.0;
  o->nframes     = 50;
  o->cell_scale  = 1.0;
  o->inlet_node  = -1;
  PetscCall(PetscStrncpy(o->source, "1D model", sizeof(o->source)));
  *od = o;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_VesselDefaults(HtOneDVessel *v)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(v, sizeof(*v)));
  v->gamma_profile = 9.0;
  v->h0_m          = -1.0;
  v->sn = v->tn = -1;
  v->outlet     = HT_ONED_END_JUNCTION;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SetBlood(HtOneD od, PetscReal rho, PetscReal mu)
{
  PetscFunctionBeginUser;
  PetscCheck(rho > 0 && mu > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: blood density %g and viscosity %g must be positive", od->source, (double)rho, (double)mu);
  od->rho = rho;
  od->mu  = mu;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_AddVessel(HtOneD od, const HtOneDVessel *v)
{
  PetscFunctionBeginUser;
  PetscCheck(!od->setup, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s added after SetUp", od->source, v->label);
  if (od->nv == od->nvalloc) {
    HtOneDVesselData *nv;
    PetscInt          na = od->nvalloc ? 2 * od->nvalloc : 16;
    PetscCall(PetscCalloc1(na, &nv));
    if (od->nv) PetscCall(PetscArraycpy(nv, od->v, od->nv));
    PetscCall(PetscFree(od->v));
    od->v       = nv;
    od->nvalloc = na;
  }
  od->v[od->nv].par = *v;
  if (!od->v[od->nv].par.label[0]) PetscCall(PetscSNPrintf(od->v[od->nv].par.label, sizeof(v->label), "vessel%" PetscInt_FMT, od->nv + 1));
  od->nv++;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SetInletFlow(HtOneD od, PetscInt n, const PetscReal t[], const PetscReal q[])
{
  PetscFunctionBeginUser;
  PetscCheck(n >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: inflow waveform needs at least 2 samples (got %" PetscInt_FMT ")", od->source, n);
  PetscCheck(PetscAbsReal(t[0]) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: inflow waveform must start at t = 0 (starts at %g s)", od->source, (double)t[0]);
  for (PetscInt i = 1; i < n; i++) {
    PetscCheck(t[i] > t[i - 1], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: inflow times not increasing at sample %" PetscInt_FMT " (t = %g s)", od->source, i, (double)t[i]);
    PetscCheck(PetscIsNormalReal(q[i]) || q[i] == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: inflow value at sample %" PetscInt_FMT " is not finite", od->source, i);
  }
  PetscCall(PetscFree(od->tin));
  PetscCall(PetscFree(od->qin));
  PetscCall(PetscMalloc1(n, &od->tin));
  PetscCall(PetscMalloc1(n, &od->qin));
  PetscCall(PetscArraycpy(od->tin, t, n));
  PetscCall(PetscArraycpy(od->qin, q, n));
  od->nin            = n;
  od->T              = t[n - 1];
  od->inlet_pressure = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SetInletPressure(HtOneD od, PetscInt n, const PetscReal t[], const PetscReal p[])
{
  PetscFunctionBeginUser;
  PetscCall(HtOneD_SetInletFlow(od, n, t, p));
  od->inlet_pressure = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_Inflow(HtOneD od, PetscReal t, PetscReal *q)
{
  PetscReal tt = PetscFmodReal(t, od->T);
  PetscInt  lo = 0, hi = od->nin - 1, n = od->nin;

  PetscFunctionBeginUser;
  if (tt < 0) tt += od->T;
  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (od->tin[mid] <= tt) lo = mid;
    else hi = mid;
  }
  if (!od->smooth_inflow || n < 4) {
    PetscReal w = (tt - od->tin[lo]) / (od->tin[hi] - od->tin[lo]);
    *q          = (1 - w) * od->qin[lo] + w * od->qin[hi];
  } else {
    /* periodic cubic Hermite (Catmull-Rom on the non-uniform samples); the last sample repeats the
     * first (t = T), so neighbours wrap around it */
    PetscReal h = od->tin[hi] - od->tin[lo], w = (tt - od->tin[lo]) / h, tm, tp, qm, qp, m0, m1;
    PetscInt  im = lo - 1, ip = hi + 1;
    if (im < 0) {
      qm = od->qin[n - 2];
      tm = od->tin[n - 2] - od->T;
    } else {
      qm = od->qin[im];
      tm = od->tin[im];
    }
    if (ip > n - 1) {
      qp = od->qin[1];
      tp = od->T + od->tin[1];
    } else {
      qp = od->qin[ip];
      tp = od->tin[ip];
    }
    m0 = (od->qin[hi] - qm) / (od->tin[hi] - tm) * h;
    m1 = (qp - od->qin[lo]) / (tp - od->tin[lo]) * h;
    *q = (2 * w * w * w - 3 * w * w + 1) * od->qin[lo] + (w * w * w - 2 * w * w + w) * m0 + (-2 * w * w * w + 3 * w * w) * od->qin[hi] + (w * w * w - w * w) * m1;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SetRunControl(HtOneD od, PetscReal cfl, PetscInt max_cycles, PetscReal tol_Pa)
{
  PetscFunctionBeginUser;
  PetscCheck(cfl > 0 && cfl <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: CFL number %g must be in (0, 1]", od->source, (double)cfl);
  PetscCheck(max_cycles >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: number of cycles %" PetscInt_FMT " must be >= 1", od->source, max_cycles);
  PetscCheck(tol_Pa > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: periodicity tolerance %g Pa must be positive", od->source, (double)tol_Pa);
  od->cfl        = cfl;
  od->max_cycles = max_cycles;
  od->tol_Pa     = tol_Pa;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SetFromOptions(HtOneD od)
{
  PetscReal tol_mmHg = od->tol_Pa / HT_MMHG_TO_PA;

  PetscFunctionBeginUser;
  PetscOptionsBegin(od->comm, "oned_", "1D engine options", NULL);
  PetscCall(PetscOptionsReal("-cfl", "CFL number", NULL, od->cfl, &od->cfl, NULL));
  PetscCall(PetscOptionsInt("-max_cycles", "maximum cardiac cycles", NULL, od->max_cycles, &od->max_cycles, NULL));
  PetscCall(PetscOptionsInt("-min_cycles", "minimum cardiac cycles", NULL, od->min_cycles, &od->min_cycles, NULL));
  PetscCall(PetscOptionsReal("-tol_mmHg", "periodicity tolerance (RMS pressure change between cycles)", NULL, tol_mmHg, &tol_mmHg, NULL));
  PetscCall(PetscOptionsReal("-cells_per_m", "cells per metre when a vessel gives no M", NULL, od->cells_per_m, &od->cells_per_m, NULL));
  PetscCall(PetscOptionsReal("-cell_scale", "multiply the cell counts M given by the config", NULL, od->cell_scale, &od->cell_scale, NULL));
  PetscCall(PetscOptionsBool("-smooth_inflow", "periodic cubic (instead of linear) interpolation of the inflow samples", NULL, od->smooth_inflow, &od->smooth_inflow, NULL));
  PetscCall(PetscOptionsBool("-total_pressure", "junctions conserve total pressure", NULL, od->total_pressure, &od->total_pressure, NULL));
  PetscCall(PetscOptionsInt("-vtk_frames", "frames of the last cycle written to network.pvd", NULL, od->nframes, &od->nframes, NULL));
  PetscOptionsEnd();
  od->tol_Pa = tol_mmHg * HT_MMHG_TO_PA;
  PetscCall(HtOneD_SetRunControl(od, od->cfl, od->max_cycles, od->tol_Pa));
  PetscCheck(od->nframes >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: -oned_vtk_frames must be >= 1", od->source);
  PetscCheck(od->cell_scale > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: -oned_cell_scale must be positive", od->source);
  PetscCheck(od->cells_per_m > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: -oned_cells_per_m must be positive", od->source);
  PetscFunctionReturn(0);
}

/* Empirical wall thickness from the lumen radius (Avolio's fit, as used by openBF when h0 is absent). */
static PetscReal WallThickness(PetscReal R0)
{
  return R0 * (0.2802 * PetscExpReal(-505.3 * R0) + 0.1324 * PetscExpReal(-11.14 * R0));
}

/* Geometry at position x of vessel v: reference area and stiffness G = (4/3) sqrt(pi) E h0 / A0. */
static void Geometry(const HtOneDVessel *p, PetscReal x, PetscReal *A0, PetscReal *G)
{
  PetscReal R0 = p->Rp_m + (p->Rd_m - p->Rp_m) * x / p->L_m;
  PetscReal h0 = p->h0_m > 0 ? p->h0_m : WallThickness(R0);
  *A0          = PETSC_PI * R0 * R0;
  *G           = 4.0 / 3.0 * PetscSqrtReal(PETSC_PI) * p->E_Pa * h0 / *A0;
}

static PetscErrorCode ValidateVessel(HtOneD od, const HtOneDVessel *p)
{
  PetscFunctionBeginUser;
  PetscCheck(p->L_m > 0 && PetscIsNormalReal(p->L_m), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: length L = %g m must be positive", od->source, p->label, (double)p->L_m);
  PetscCheck(p->Rp_m > 0 && p->Rd_m > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: radius (Rp %g m, Rd %g m) must be positive", od->source, p->label, (double)p->Rp_m, (double)p->Rd_m);
  PetscCheck(p->E_Pa > 0 || p->law == HT_ONED_LAW_OLUFSEN, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: Young's modulus E = %g Pa must be positive", od->source, p->label, (double)p->E_Pa);
  PetscCheck(p->gamma_profile > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: velocity-profile exponent %g must be positive", od->source, p->label, (double)p->gamma_profile);
  PetscCheck(p->sn >= 0 && p->tn >= 0 && p->sn != p->tn, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: nodes sn %" PetscInt_FMT ", tn %" PetscInt_FMT " must be distinct non-negative ids", od->source, p->label, p->sn, p->tn);
  PetscCheck(p->ncells >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: number of cells M = %" PetscInt_FMT " is negative", od->source, p->label, p->ncells);
  PetscCheck(p->law == HT_ONED_LAW_ELASTIC || (p->law == HT_ONED_LAW_OLUFSEN && p->k1_Pa * PetscExpReal(p->k2_1_m * p->Rp_m) + p->k3_Pa > 0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: unknown tube law or non-positive Olufsen stiffness", od->source, p->label);
  PetscCheck(p->outlet >= HT_ONED_END_JUNCTION && p->outlet <= HT_ONED_END_PRESSURE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: unknown outlet type %d", od->source, p->label, (int)p->outlet);
  PetscFunctionReturn(0);
}

typedef struct {
  PetscInt vessel;
} VesselComp;

/* Build node table, check the network is one connected tree-like graph with a single inlet. */
static PetscErrorCode BuildTopology(HtOneD od)
{
  PetscInt *ids, n = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(2 * od->nv, &ids));
  for (PetscInt i = 0; i < od->nv; i++) {
    ids[n++] = od->v[i].par.sn;
    ids[n++] = od->v[i].par.tn;
  }
  PetscCall(PetscSortRemoveDupsInt(&n, ids));
  od->nnodes = n;
  PetscCall(PetscCalloc1(n, &od->nodes));
  for (PetscInt k = 0; k < n; k++) {
    od->nodes[k].id = ids[k];
    PetscCall(PetscMalloc1(od->nv, &od->nodes[k].vessel));
    PetscCall(PetscMalloc1(od->nv, &od->nodes[k].side));
  }
  for (PetscInt i = 0; i < od->nv; i++) {
    for (PetscInt s = 0; s < 2; s++) {
      PetscInt id = s ? od->v[i].par.tn : od->v[i].par.sn, k;
      PetscCall(PetscFindInt(id, n, ids, &k));
      od->v[i].node[s]                         = k;
      od->nodes[k].vessel[od->nodes[k].nends]  = i;
      od->nodes[k].side[od->nodes[k].nends++] = s;
    }
  }
  PetscCall(PetscFree(ids));
  /* inlet: a node with a single vessel inlet and no vessel outlet */
  for (PetscInt k = 0; k < n; k++) {
    HtOneDNode *nd = &od->nodes[k];
    if (nd->nends == 1 && nd->side[0] == 0) {
      PetscCheck(od->inlet_node < 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: network has more than one inlet (nodes %" PetscInt_FMT " and %" PetscInt_FMT "): vessels %s and %s start at free nodes", od->source, od->nodes[od->inlet_node].id, nd->id,
                 od->v[od->nodes[od->inlet_node].vessel[0]].par.label, od->v[nd->vessel[0]].par.label);
      od->inlet_node = k;
    }
  }
  PetscCheck(od->inlet_node >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: network has no inlet node (a node where exactly one vessel starts and none ends)", od->source);
  for (PetscInt k = 0; k < n; k++) {
    HtOneDNode *nd = &od->nodes[k];
    if (nd->nends == 1 && nd->side[0] == 1) {
      HtOneDVessel *p = &od->v[nd->vessel[0]].par;
      PetscCheck(p->outlet != HT_ONED_END_JUNCTION, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s ends at terminal node %" PetscInt_FMT " but has no outlet model (give Rt, or R1[/R2/Cc])", od->source, p->label, nd->id);
      if (p->outlet == HT_ONED_END_RESISTANCE) PetscCheck(p->R1_Pa_s_m3 > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: outlet resistance R1 = %g must be positive", od->source, p->label, (double)p->R1_Pa_s_m3);
      if (p->outlet == HT_ONED_END_WK3)
        PetscCheck(p->R1_Pa_s_m3 >= 0 && p->R2_Pa_s_m3 > 0 && p->C_m3_Pa > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: Windkessel needs R1 >= 0, R2 > 0, C > 0 (got %g, %g, %g)", od->source, p->label, (double)p->R1_Pa_s_m3, (double)p->R2_Pa_s_m3, (double)p->C_m3_Pa);
      if (p->outlet == HT_ONED_END_REFLECTION) PetscCheck(p->Rt >= -1 && p->Rt <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: reflection coefficient %g outside [-1, 1]", od->source, p->label, (double)p->Rt);
    } else if (k != od->inlet_node) {
      /* interior node: vessels join; at least one vessel must arrive */
      PetscInt nin = 0;
      for (PetscInt e = 0; e < nd->nends; e++) nin += nd->side[e];
      PetscCheck(nin >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: node %" PetscInt_FMT " joins %" PetscInt_FMT " vessels but none of them ends there (second inlet?)", od->source, nd->id, nd->nends);
    }
  }
  /* connectivity: flood fill from the inlet */
  {
    PetscBool *seen;
    PetscInt  *stack, ns = 0, nseen = 1;
    PetscCall(PetscCalloc1(n, &seen));
    PetscCall(PetscMalloc1(n + 2 * od->nv, &stack));
    seen[od->inlet_node] = PETSC_TRUE;
    stack[ns++]          = od->inlet_node;
    while (ns) {
      HtOneDNode *nd = &od->nodes[stack[--ns]];
      for (PetscInt e = 0; e < nd->nends; e++) {
        PetscInt o = od->v[nd->vessel[e]].node[1 - nd->side[e]];
        if (!seen[o]) {
          seen[o]     = PETSC_TRUE;
          stack[ns++] = o;
          nseen++;
        }
      }
    }
    if (nseen < n) {
      PetscInt bad = 0;
      for (PetscInt k = 0; k < n; k++)
        if (!seen[k]) {
          bad = k;
          break;
        }
      PetscCall(PetscFree(seen));
      PetscCall(PetscFree(stack));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: network is disconnected: node %" PetscInt_FMT " (vessel %s) cannot be reached from the inlet node %" PetscInt_FMT, od->source, od->nodes[bad].id, od->v[od->nodes[bad].vessel[0]].par.label, od->nodes[od->inlet_node].id);
    }
    PetscCall(PetscFree(seen));
    PetscCall(PetscFree(stack));
  }
  PetscFunctionReturn(0);
}

/* Vessels become DMNetwork edges (rank 0 declares the graph, DMNetworkDistribute partitions it);
 * each rank then advances the vessels whose edges it owns, the state (A, Q per cell) lives in the
 * DMNetwork's vector. */
static PetscErrorCode BuildNetwork(HtOneD od)
{
  VesselComp *comps;
  PetscInt *edges = NULL, ne = od->rank ? 0 : od->nv, key_v, eStart, eEnd, vStart, vEnd;

  PetscFunctionBeginUser;
  PetscCall(DMNetworkCreate(od->comm, &od->dm));
  PetscCall(DMNetworkSetNumSubNetworks(od->dm, PETSC_DECIDE, 1));
  PetscCall(DMNetworkRegisterComponent(od->dm, "vessel", sizeof(VesselComp), &key_v));
  PetscCall(PetscMalloc1(2 * ne + 1, &edges));
  for (PetscInt i = 0; i < ne; i++) {
    edges[2 * i]     = od->v[i].node[0];
    edges[2 * i + 1] = od->v[i].node[1];
  }
  PetscCall(DMNetworkAddSubnetwork(od->dm, "arteries", ne, edges, NULL));
  PetscCall(DMNetworkLayoutSetUp(od->dm));
  PetscCall(DMNetworkGetEdgeRange(od->dm, &eStart, &eEnd));
  /* DMNetworkAddComponent keeps the pointer until DMSetUp: the component values must persist */
  PetscCall(PetscMalloc1(eEnd - eStart + 1, &comps));
  for (PetscInt e = eStart; e < eEnd; e++) {
    PetscInt ge = e - eStart; /* before distribution: rank 0 holds the edges in list order */
    comps[ge].vessel = ge;
    PetscCall(DMNetworkAddComponent(od->dm, e, key_v, &comps[ge], 2 * od->v[ge].M));
  }
  PetscCall(DMNetworkGetVertexRange(od->dm, &vStart, &vEnd));
  /* vertices carry no unknowns (junction states are exchanged separately) */
  (void)vStart;
  (void)vEnd;
  PetscCall(DMSetUp(od->dm));
  PetscCall(DMNetworkDistribute(&od->dm, 0));
  PetscCall(PetscFree(edges));
  PetscCall(PetscFree(comps));

  PetscCall(DMNetworkGetEdgeRange(od->dm, &eStart, &eEnd));
  for (PetscInt i = 0; i < od->nv; i++) od->v[i].owned = PETSC_FALSE;
  for (PetscInt e = eStart; e < eEnd; e++) {
    VesselComp *c;
    PetscInt    key, nvar, off;
    PetscCall(DMNetworkGetComponent(od->dm, e, 0, &key, (void **)&c, &nvar));
    PetscCheck(c->vessel >= 0 && c->vessel < od->nv && nvar == 2 * od->v[c->vessel].M, PETSC_COMM_SELF, PETSC_ERR_LIB, "%s: DMNetwork edge %" PetscInt_FMT " carries an inconsistent vessel (%" PetscInt_FMT ", %" PetscInt_FMT " variables)", od->source, e, c->vessel, nvar);
    PetscCall(DMNetworkGetLocalVecOffset(od->dm, e, ALL_COMPONENTS, &off));
    od->v[c->vessel].owned = PETSC_TRUE;
    od->v[c->vessel].xoff  = off;
  }
  PetscCall(DMCreateLocalVector(od->dm, &od->X));
  {
    PetscInt nown = 0, tot;
    for (PetscInt i = 0; i < od->nv; i++) nown += od->v[i].owned;
    PetscInt ncell = 0, cmin, cmax;
    for (PetscInt i = 0; i < od->nv; i++)
      if (od->v[i].owned) ncell += od->v[i].M;
    PetscCall(MPIU_Allreduce(&ncell, &cmin, 1, MPIU_INT, MPI_MIN, od->comm));
    PetscCall(MPIU_Allreduce(&ncell, &cmax, 1, MPIU_INT, MPI_MAX, od->comm));
    if (od->size > 1) HtLog_Info("1D %s: DMNetwork partition over %d ranks: %" PetscInt_FMT " to %" PetscInt_FMT " cells per rank", od->source, (int)od->size, cmin, cmax);
    PetscCall(MPIU_Allreduce(&nown, &tot, 1, MPIU_INT, MPI_SUM, od->comm));
    PetscCheck(tot == od->nv, PETSC_COMM_SELF, PETSC_ERR_LIB, "%s: DMNetwork partition covers %" PetscInt_FMT " of %" PetscInt_FMT " vessels", od->source, tot, od->nv);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_SetUp(HtOneD od)
{
  PetscFunctionBeginUser;
  if (od->setup) PetscFunctionReturn(0);
  PetscCheck(od->nv > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: no vessels", od->source);
  PetscCheck(od->nin >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: no inflow waveform", od->source);
  for (PetscInt i = 0; i < od->nv; i++) {
    PetscCall(ValidateVessel(od, &od->v[i].par));
    for (const char *c = od->v[i].par.label; *c; c++)
      PetscCheck(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.', PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel label '%s' may only contain letters, digits, '_', '-', '.' (it names output files)", od->source, od->v[i].par.label);
    for (PetscInt j = 0; j < i; j++) PetscCheck(strcmp(od->v[i].par.label, od->v[j].par.label), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel label %s used twice", od->source, od->v[i].par.label);
  }
  od->nsamp = (PetscInt)PetscCeilReal(od->T / 1.0e-3 - 1e-9); /* about 1 ms sampling of the cycle */
  if (od->nsamp < 20) od->nsamp = 20;
  PetscCall(PetscMalloc1(od->nsamp, &od->tsamp));
  for (PetscInt k = 0; k < od->nsamp; k++) od->tsamp[k] = od->T * k / od->nsamp;
  od->maxM = 0;
  for (PetscInt i = 0; i < od->nv; i++) {
    HtOneDVesselData *v = &od->v[i];
    HtOneDVessel     *p = &v->par;
    PetscInt          M = p->ncells > 0 ? (PetscInt)PetscCeilReal(p->ncells * od->cell_scale - 1e-9) : (PetscInt)PetscCeilReal(p->L_m * od->cells_per_m);
    if (M < 5) M = 5;
    v->M  = M;
    v->dx = p->L_m / M;
    od->maxM = PetscMax(od->maxM, M);
    PetscCall(PetscMalloc4(M, &v->A0, M, &v->G, M, &v->dG, M, &v->dsA0));
    for (PetscInt c = 0; c < M; c++) {
      PetscReal x = (c + 0.5) * v->dx, h = 1e-6 * p->L_m, Am, Gm, Ap, Gp;
      Geometry(p, x, &v->A0[c], &v->G[c]);
      Geometry(p, x - h, &Am, &Gm);
      Geometry(p, x + h, &Ap, &Gp);
      v->dG[c]   = (Gp - Gm) / (2 * h);
      v->dsA0[c] = (PetscSqrtReal(Ap) - PetscSqrtReal(Am)) / (2 * h);
    }
    PetscCall(PetscMalloc1(M, &v->sA0));
    v->tapered = PETSC_FALSE;
    for (PetscInt c = 0; c < M; c++) {
      v->sA0[c] = PetscSqrtReal(v->A0[c]);
      if (v->dG[c] != 0 || v->dsA0[c] != 0) v->tapered = PETSC_TRUE;
    }
    PetscCall(PetscMalloc1(M + 1, &v->Gf));
    for (PetscInt f = 0; f <= M; f++) {
      PetscReal a;
      Geometry(p, f * v->dx, &a, &v->Gf[f]);
    }
    Geometry(p, 0, &v->A0b[0], &v->Gb[0]);
    Geometry(p, p->L_m, &v->A0b[1], &v->Gb[1]);
    v->Zc = od->rho * HtOneD_WaveSpeed(v->A0b[1], v->Gb[1], od->rho) / v->A0b[1];
    for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
      PetscCall(PetscCalloc1(od->nsamp, &v->pr_P[s]));
      PetscCall(PetscCalloc1(od->nsamp, &v->pr_Q[s]));
      PetscCall(PetscCalloc1(od->nsamp, &v->pr_A[s]));
      PetscCall(PetscCalloc1(od->nsamp, &v->prev_P[s]));
    }
    PetscCall(PetscCalloc1(od->nframes * M, &v->fr_A));
    PetscCall(PetscCalloc1(od->nframes * M, &v->fr_Q));
  }
  PetscCall(PetscMalloc1(8 * (od->maxM + 4), &od->work));
  /* openBF: a Windkessel given by its total resistance (no R2, or inlet_impedance_matching) gets
   * R1 = characteristic impedance of the vessel outlet, R2 = total - R1 (marker R2 < 0 from the loader) */
  for (PetscInt i = 0; i < od->nv; i++) {
    HtOneDVessel *p = &od->v[i].par;
    if (p->outlet == HT_ONED_END_WK3 && p->R2_Pa_s_m3 < 0) {
      PetscReal Rtot = -p->R2_Pa_s_m3;
      PetscCheck(Rtot > od->v[i].Zc, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel %s: total peripheral resistance %g is below the characteristic impedance %g", od->source, p->label, (double)Rtot, (double)od->v[i].Zc);
      p->R1_Pa_s_m3 = od->v[i].Zc;
      p->R2_Pa_s_m3 = Rtot - od->v[i].Zc;
    }
  }
  PetscCall(BuildTopology(od));
  PetscCall(BuildNetwork(od));
  od->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_GetNumVessels(HtOneD od, PetscInt *n)
{
  PetscFunctionBeginUser;
  *n = od->nv;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_GetVesselLabel(HtOneD od, PetscInt i, const char **label)
{
  PetscFunctionBeginUser;
  PetscCheck(i >= 0 && i < od->nv, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: vessel index %" PetscInt_FMT " out of range [0, %" PetscInt_FMT ")", od->source, i, od->nv);
  *label = od->v[i].par.label;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_GetProbe(HtOneD od, const char *label, PetscReal frac, PetscInt *nt, const PetscReal **t, const PetscReal **p, const PetscReal **q, const PetscReal **a)
{
  PetscInt i, s = (PetscInt)PetscFloorReal(frac * 4 + 0.5);

  PetscFunctionBeginUser;
  PetscCheck(od->solved, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: probe requested before Solve", od->source);
  for (i = 0; i < od->nv; i++)
    if (!strcmp(od->v[i].par.label, label)) break;
  PetscCheck(i < od->nv, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: no vessel labelled %s", od->source, label);
  PetscCheck(s >= 0 && s < HT_ONED_NPROBE && PetscAbsReal(frac * 4 - s) < 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: probe fraction %g must be 0, 0.25, 0.5, 0.75 or 1", od->source, (double)frac);
  if (nt) *nt = od->nsamp;
  if (t) *t = od->tsamp;
  if (p) *p = od->v[i].pr_P[s];
  if (q) *q = od->v[i].pr_Q[s];
  if (a) *a = od->v[i].pr_A[s];
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_GetCycleInfo(HtOneD od, PetscInt *ncycles, PetscReal *period, PetscReal *dp)
{
  PetscFunctionBeginUser;
  if (ncycles) *ncycles = od->ncycles;
  if (period) *period = od->T;
  if (dp) *dp = od->solved ? od->dp_rms : -1;
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_Destroy(HtOneD *od)
{
  HtOneD o = *od;

  PetscFunctionBeginUser;
  if (!o) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < o->nv; i++) {
    HtOneDVesselData *v = &o->v[i];
    if (v->A0) PetscCall(PetscFree4(v->A0, v->G, v->dG, v->dsA0));
    PetscCall(PetscFree(v->Gf));
    PetscCall(PetscFree(v->sA0));
    for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) {
      PetscCall(PetscFree(v->pr_P[s]));
      PetscCall(PetscFree(v->pr_Q[s]));
      PetscCall(PetscFree(v->pr_A[s]));
      PetscCall(PetscFree(v->prev_P[s]));
    }
    PetscCall(PetscFree(v->fr_A));
    PetscCall(PetscFree(v->fr_Q));
  }
  for (PetscInt k = 0; k < o->nnodes; k++) {
    PetscCall(PetscFree(o->nodes[k].vessel));
    PetscCall(PetscFree(o->nodes[k].side));
  }
  PetscCall(PetscFree(o->nodes));
  PetscCall(PetscFree(o->v));
  PetscCall(PetscFree(o->tin));
  PetscCall(PetscFree(o->qin));
  PetscCall(PetscFree(o->tsamp));
  PetscCall(PetscFree(o->work));
  PetscCall(VecDestroy(&o->X));
  PetscCall(DMDestroy(&o->dm));
  PetscCall(PetscFree(o));
  *od = NULL;
  PetscFunctionReturn(0);
}
