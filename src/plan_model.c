/* Planning: physiology defaults, the aortic inflow waveform, and the network -> svZeroDSolver model.
 *
 * Vessel parameters (cgs), integrated along the centerline with the radius piecewise linear in s:
 *   R = int 8 mu / (pi r^4) ds           Poiseuille resistance
 *   L = int rho / (pi r^2) ds            blood inertance
 *   C = int 3 pi r^3 / (2 E h) ds        thin-wall compliance, with the empirical stiffness of
 *       Eh/r0 = k1 exp(k2 r0) + k3,  k1 = 2e7 g/(s^2 cm), k2 = -22.53 1/cm, k3 = 8.65e5 g/(s^2 cm)
 *       (Olufsen 1999, Am J Physiol 276:H257; the values svOneDSolver/svZeroDSolver models use).
 *   stenosis_coefficient = K_t rho / (2 A0^2) (A0/A_s - 1)^2, K_t = 1.52: the expansion loss of
 *       Young & Tsai 1973 (J Biomech 6:547), dP = S |Q| Q, as svZeroDSolver's BloodVessel uses it;
 *       A0 = healthy reference area (straight line between the piece's end radii at the minimum),
 *       A_s = minimum area in the piece. Pieces are cut at lesion ends so this is well defined.
 */
#include <htplan.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HT_OLUFSEN_K1 2.0e7
#define HT_OLUFSEN_K2 (-22.53)
#define HT_OLUFSEN_K3 8.65e5
#define HT_YOUNG_TSAI_KT 1.52

PetscErrorCode HtPhysiology_Default(HtPhysiology *ph)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(ph, sizeof(*ph)));
  ph->heart_rate_bpm       = 75.0;
  ph->cardiac_output_L_min = 5.0;
  ph->mean_pressure_mmHg   = 93.0;
  ph->pulse_pressure_mmHg  = 40.0;
  ph->venous_pressure_mmHg = 0.0;
  ph->tau_s                = 1.2;
  ph->blood_density_g_cm3  = 1.06;
  ph->blood_viscosity_P    = 0.04;
  ph->points_per_cycle     = 200;
  ph->max_cycles           = 20;
  ph->cycle_tolerance_mmHg = 0.1;
  ph->vessel_piece_mm      = 15.0;
  ph->lesion_min_severity  = 0.2;
  ph->steady_inflow        = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhysiology_Check(const HtPhysiology *ph)
{
  PetscFunctionBeginUser;
  PetscCheck(ph->heart_rate_bpm > 10 && ph->heart_rate_bpm < 300, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: heart_rate_bpm %g outside (10, 300)", (double)ph->heart_rate_bpm);
  PetscCheck(ph->cardiac_output_L_min > 0 && ph->cardiac_output_L_min < 40, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: cardiac_output_L_min %g outside (0, 40)", (double)ph->cardiac_output_L_min);
  PetscCheck(ph->mean_pressure_mmHg > ph->venous_pressure_mmHg && ph->mean_pressure_mmHg < 300, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: mean_pressure_mmHg %g must lie between venous_pressure_mmHg %g and 300", (double)ph->mean_pressure_mmHg, (double)ph->venous_pressure_mmHg);
  PetscCheck(ph->pulse_pressure_mmHg < 2 * ph->mean_pressure_mmHg, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: pulse_pressure_mmHg %g too large for mean_pressure_mmHg %g", (double)ph->pulse_pressure_mmHg, (double)ph->mean_pressure_mmHg);
  PetscCheck(ph->pulse_pressure_mmHg > 0 || ph->tau_s > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: need pulse_pressure_mmHg > 0 or tau_s > 0");
  PetscCheck(ph->blood_density_g_cm3 > 0.5 && ph->blood_density_g_cm3 < 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: blood_density_g_cm3 %g outside (0.5, 2)", (double)ph->blood_density_g_cm3);
  PetscCheck(ph->blood_viscosity_P > 0.001 && ph->blood_viscosity_P < 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: blood_viscosity_P %g outside (0.001, 1)", (double)ph->blood_viscosity_P);
  PetscCheck(ph->points_per_cycle >= 20 && ph->points_per_cycle <= 100000, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: points_per_cycle %" PetscInt_FMT " outside [20, 100000]", ph->points_per_cycle);
  PetscCheck(ph->max_cycles >= 2 && ph->max_cycles <= 1000, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: max_cycles %" PetscInt_FMT " outside [2, 1000]", ph->max_cycles);
  PetscCheck(ph->cycle_tolerance_mmHg > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: cycle_tolerance_mmHg must be > 0");
  PetscCheck(ph->vessel_piece_mm > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "physiology: vessel_piece_mm must be > 0");
  PetscFunctionReturn(0);
}

/* Shape of the inflow: ejection sin^2 over 35 % of the cycle, then a short backflow dip (valve
 * closure) of 3 % of the forward stroke volume over 8 % of the cycle, zero in diastole. */
#define HT_EJECT_FRAC    0.35
#define HT_BACKFLOW_FRAC 0.08
#define HT_BACKFLOW_VOL  0.03

static PetscReal InflowShape(PetscReal tau) /* tau = t/T in [0,1]; forward amplitude 1 */
{
  if (tau < HT_EJECT_FRAC) {
    PetscReal v = PetscSinReal(PETSC_PI * tau / HT_EJECT_FRAC);
    return v * v;
  }
  if (tau < HT_EJECT_FRAC + HT_BACKFLOW_FRAC) {
    /* backflow amplitude b: b * BACKFLOW_FRAC/2 = VOL * EJECT_FRAC/2 */
    PetscReal b = HT_BACKFLOW_VOL * HT_EJECT_FRAC / HT_BACKFLOW_FRAC;
    PetscReal v = PetscSinReal(PETSC_PI * (tau - HT_EJECT_FRAC) / HT_BACKFLOW_FRAC);
    return -b * v * v;
  }
  return 0.0;
}

PetscErrorCode HtPlan_InflowWaveform(const HtPhysiology *ph, PetscInt *nt, PetscReal **t_s, PetscReal **q_mL_s)
{
  PetscInt  n = ph->points_per_cycle + 1;
  PetscReal T = 60.0 / ph->heart_rate_bpm, Qm = ph->cardiac_output_L_min * 1000.0 / 60.0, mean = 0;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Check(ph));
  PetscCall(PetscMalloc1(n, t_s));
  PetscCall(PetscMalloc1(n, q_mL_s));
  for (PetscInt i = 0; i < n; i++) {
    (*t_s)[i]    = T * i / (n - 1);
    (*q_mL_s)[i] = ph->steady_inflow ? 1.0 : InflowShape((PetscReal)i / (n - 1));
  }
  /* scale with the discrete (trapezoid) mean so the solver's sampled inflow has mean = CO exactly */
  for (PetscInt i = 0; i < n - 1; i++) mean += 0.5 * ((*q_mL_s)[i] + (*q_mL_s)[i + 1]) / (n - 1);
  for (PetscInt i = 0; i < n; i++) (*q_mL_s)[i] *= Qm / mean;
  *nt = n;
  PetscFunctionReturn(0);
}

/* ---- vessel parameters ------------------------------------------------------------------------ */
static PetscReal OlufsenCompliancePerLength(PetscReal r_cm) /* 3 pi r^3/(2 Eh), Eh = r (k1 e^{k2 r} + k3) */
{
  PetscReal Eh_r = HT_OLUFSEN_K1 * PetscExpReal(HT_OLUFSEN_K2 * r_cm) + HT_OLUFSEN_K3;
  return 3.0 * PETSC_PI * r_cm * r_cm / (2.0 * Eh_r);
}

PetscErrorCode HtPlan_VesselParameters(const HtNetSegment *seg, PetscReal s0_mm, PetscReal s1_mm, const HtPhysiology *ph, HtModelVessel *v)
{
  PetscReal mu = ph->blood_viscosity_P, rho = ph->blood_density_g_cm3;
  PetscReal R = 0, L = 0, C = 0, rmin = PETSC_MAX_REAL, smin = s0_mm;
  PetscReal len = seg->s[seg->npts - 1];

  PetscFunctionBeginUser;
  PetscCheck(s1_mm > s0_mm && s0_mm >= -1e-9 && s1_mm <= len + 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segment %s: vessel range [%g, %g] mm outside [0, %g]", seg->name, (double)s0_mm, (double)s1_mm, (double)len);
  /* walk the breakpoints: s0, sample points strictly inside, s1 */
  PetscReal sa = s0_mm, ra = HtNetSegment_RadiusAt(seg, s0_mm);
  PetscCheck(ra > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segment %s: radius %g mm at s = %g mm is not positive", seg->name, (double)ra, (double)s0_mm);
  rmin = ra;
  for (PetscInt i = 0; i <= seg->npts; i++) {
    PetscReal sb, rb;
    if (i < seg->npts) {
      if (seg->s[i] <= sa + 1e-12 || seg->s[i] >= s1_mm) continue;
      sb = seg->s[i];
      rb = seg->r[i];
    } else {
      sb = s1_mm;
      rb = HtNetSegment_RadiusAt(seg, s1_mm);
    }
    PetscCheck(rb > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segment %s: radius %g mm at s = %g mm is not positive", seg->name, (double)rb, (double)sb);
    PetscReal h = (sb - sa) * 0.1, a = ra * 0.1, b = rb * 0.1; /* cm */
    if (h > 0) {
      /* exact integrals of r^-4 and r^-2 for r linear in s */
      if (PetscAbsReal(b - a) < 1e-9 * a) {
        R += 8.0 * mu / PETSC_PI * h / (a * a * a * a);
        L += rho / PETSC_PI * h / (a * a);
      } else {
        PetscReal k = (b - a) / h;
        R += 8.0 * mu / PETSC_PI * (1.0 / (a * a * a) - 1.0 / (b * b * b)) / (3.0 * k);
        L += rho / PETSC_PI * (1.0 / a - 1.0 / b) / k;
      }
      /* 3-point Gauss for the smooth compliance integrand */
      const PetscReal gx[3] = {-0.7745966692414834, 0.0, 0.7745966692414834}, gw[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
      for (int q = 0; q < 3; q++) {
        PetscReal rr = a + (b - a) * 0.5 * (1 + gx[q]);
        C += 0.5 * h * gw[q] * OlufsenCompliancePerLength(rr);
      }
    }
    if (rb < rmin) {
      rmin = rb;
      smin = sb;
    }
    sa = sb;
    ra = rb;
    if (i == seg->npts || sb >= s1_mm) break;
  }
  /* expansion loss of a narrowing inside the piece */
  PetscReal r0 = HtNetSegment_RadiusAt(seg, s0_mm), r1 = HtNetSegment_RadiusAt(seg, s1_mm);
  PetscReal rref = r0 + (r1 - r0) * (smin - s0_mm) / (s1_mm - s0_mm), K = 0;
  if (rmin < 0.99 * rref) {
    PetscReal A0 = PETSC_PI * (rref * 0.1) * (rref * 0.1), As = PETSC_PI * (rmin * 0.1) * (rmin * 0.1);
    K = HT_YOUNG_TSAI_KT * rho / (2.0 * A0 * A0) * (A0 / As - 1.0) * (A0 / As - 1.0);
  }
  v->name[0]        = 0;
  v->seg            = -1;
  v->s0_mm          = s0_mm;
  v->s1_mm          = s1_mm;
  v->R_cgs          = R;
  v->L_cgs          = L;
  v->C_cgs          = C;
  v->K_stenosis_cgs = K;
  PetscFunctionReturn(0);
}

/* ---- model map ---------------------------------------------------------------------------------- */
PetscErrorCode HtModelMap_Destroy(HtModelMap *map)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(map->vessels));
  PetscCall(PetscFree(map->seg_first));
  PetscCall(PetscFree(map->seg_count));
  PetscCall(PetscFree(map->outlet_vessel));
  PetscCall(PetscMemzero(map, sizeof(*map)));
  PetscFunctionReturn(0);
}

/* Nearest point of the native (kind 0) segments to x: segment and arc length. */
PetscErrorCode HtPlan_LocatePoint(const HtNetwork *net, const PetscReal x_mm[3], PetscInt *seg, PetscReal *s_mm, PetscReal *dist_mm)
{
  PetscReal best = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  *seg  = -1;
  *s_mm = 0;
  for (PetscInt g = 0; g < net->nsegs; g++) {
    const HtNetSegment *S = &net->segs[g];
    if (S->kind != 0) continue;
    for (PetscInt i = 0; i + 1 < S->npts; i++) {
      const PetscReal *a = &S->x[3 * i], *b = &S->x[3 * i + 3];
      PetscReal        ab[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, ab2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2], t = 0;
      if (ab2 > 0) t = ((x_mm[0] - a[0]) * ab[0] + (x_mm[1] - a[1]) * ab[1] + (x_mm[2] - a[2]) * ab[2]) / ab2;
      t = PetscMax(0.0, PetscMin(1.0, t));
      PetscReal d2 = 0;
      for (int c = 0; c < 3; c++) d2 += PetscSqr(a[c] + t * ab[c] - x_mm[c]);
      if (d2 < best) {
        best  = d2;
        *seg  = g;
        *s_mm = S->s[i] + t * (S->s[i + 1] - S->s[i]);
      }
    }
  }
  PetscCheck(*seg >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: no native segment to locate point (%g, %g, %g) mm on", (double)x_mm[0], (double)x_mm[1], (double)x_mm[2]);
  if (dist_mm) *dist_mm = PetscSqrtReal(best);
  PetscFunctionReturn(0);
}

/* Breakpoints per segment: sorted, merged, excluding the ends. */
typedef struct {
  PetscInt   n, cap;
  PetscReal *s;
} BreakList;

static PetscErrorCode BreakAdd(BreakList *b, PetscReal s)
{
  PetscFunctionBeginUser;
  if (b->n == b->cap) {
    PetscReal *ns;
    b->cap = b->cap ? 2 * b->cap : 8;
    PetscCall(PetscMalloc1(b->cap, &ns));
    if (b->n) PetscCall(PetscArraycpy(ns, b->s, b->n));
    PetscCall(PetscFree(b->s));
    b->s = ns;
  }
  b->s[b->n++] = s;
  PetscFunctionReturn(0);
}

static int CmpReal(const void *a, const void *b)
{
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

/* Region ends located on the network (by position): segment and s of each end. */
PetscErrorCode HtPlan_LocateRegion(const HtNetwork *net, const HtLesion *region, PetscInt seg[2], PetscReal s_mm[2])
{
  PetscReal d0, d1;

  PetscFunctionBeginUser;
  PetscCall(HtPlan_LocatePoint(net, region->x0_mm, &seg[0], &s_mm[0], &d0));
  PetscCall(HtPlan_LocatePoint(net, region->x1_mm, &seg[1], &s_mm[1], &d1));
  /* a region end further than a vessel radius from any native centerline was not on this network */
  PetscReal tol = PetscMax(2.0, region->r_ref_mm);
  PetscCheck(d0 <= tol && d1 <= tol, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "region: ends are %g / %g mm from the nearest centerline (max %g)", (double)d0, (double)d1, (double)tol);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetNumber(cJSON *obj, const char *key, double v)
{
  PetscFunctionBeginUser;
  PetscCheck(cJSON_AddNumberToObject(obj, key, v), PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: cannot add %s", key);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetString(cJSON *obj, const char *key, const char *v)
{
  PetscFunctionBeginUser;
  PetscCheck(cJSON_AddStringToObject(obj, key, v), PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: cannot add %s", key);
  PetscFunctionReturn(0);
}

static PetscErrorCode AddItem(cJSON *arr, cJSON *item)
{
  PetscFunctionBeginUser;
  PetscCheck(item, PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: out of memory");
  PetscCheck(cJSON_AddItemToArray(arr, item), PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: cannot append");
  PetscFunctionReturn(0);
}

static PetscErrorCode AddArray(cJSON *obj, const char *key, cJSON **arr)
{
  PetscFunctionBeginUser;
  *arr = cJSON_AddArrayToObject(obj, key);
  PetscCheck(*arr, PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: cannot add %s", key);
  PetscFunctionReturn(0);
}

static PetscErrorCode AddObject(cJSON *obj, const char *key, cJSON **o)
{
  PetscFunctionBeginUser;
  *o = cJSON_AddObjectToObject(obj, key);
  PetscCheck(*o, PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: cannot add %s", key);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPlan_BuildModel(const HtNetwork *net, const HtPhysiology *ph, const HtOutletSet *bcs, const HtLesion *region, cJSON **model_out, HtModelMap *map)
{
  BreakList *brk   = NULL;
  HtLesion  *les   = NULL;
  PetscInt   nles  = 0, inlet = -1, nout = 0;
  cJSON     *model = NULL;
  PetscInt   nt;
  PetscReal *t = NULL, *q = NULL, rs[2] = {0, 0};
  PetscInt   rseg[2] = {0, 0};

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(map, sizeof(*map)));
  *model_out = NULL;
  PetscCall(HtPhysiology_Check(ph));
  PetscCall(HtNetwork_Check(net));
  for (PetscInt i = 0; i < net->nnodes; i++) {
    if (net->nodes[i].kind == HT_NODE_INLET) inlet = i;
    if (net->nodes[i].kind == HT_NODE_OUTLET) nout++;
  }
  PetscCheck(inlet >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: no inlet node");
  PetscCheck(nout > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: no outlet node");
  PetscCheck(bcs && bcs->n == nout, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: %" PetscInt_FMT " outlets but %" PetscInt_FMT " outlet boundary conditions", nout, bcs ? bcs->n : 0);
  for (PetscInt k = 0; k < bcs->n; k++) {
    PetscInt nd = bcs->bc[k].node;
    PetscCheck(nd >= 0 && nd < net->nnodes && net->nodes[nd].kind == HT_NODE_OUTLET, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "outlet BC %s: node %" PetscInt_FMT " is not an outlet of the network", bcs->bc[k].name, nd);
    PetscCheck(bcs->bc[k].Rp_cgs >= 0 && bcs->bc[k].Rd_cgs > 0 && bcs->bc[k].C_cgs >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "outlet BC %s: Rp %g, C %g, Rd %g (need Rp >= 0, C >= 0, Rd > 0)", bcs->bc[k].name, (double)bcs->bc[k].Rp_cgs, (double)bcs->bc[k].C_cgs, (double)bcs->bc[k].Rd_cgs);
  }
  PetscCheck(HtNetwork_NodeDegree(net, inlet, NULL, 0) == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: inlet node %s must have exactly one segment (has %" PetscInt_FMT ")", net->nodes[inlet].name, HtNetwork_NodeDegree(net, inlet, NULL, 0));

  /* orientation (segments run downstream) checked before anything is allocated */
  for (PetscInt g = 0; g < net->nsegs; g++) {
    const HtNetSegment *S = &net->segs[g];
    PetscCheck(S->node[1] != inlet, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s ends at the inlet node", S->name);
    PetscCheck(net->nodes[S->node[0]].kind != HT_NODE_OUTLET, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s starts at outlet node %s (segments must run downstream)", S->name, net->nodes[S->node[0]].name);
  }
  for (PetscInt nd = 0; nd < net->nnodes; nd++) {
    PetscInt nin = 0, noutv = 0;
    if (net->nodes[nd].kind == HT_NODE_INLET || net->nodes[nd].kind == HT_NODE_OUTLET) continue;
    for (PetscInt g = 0; g < net->nsegs; g++) {
      if (net->segs[g].node[1] == nd) nin++;
      if (net->segs[g].node[0] == nd) noutv++;
    }
    PetscCheck(nin + noutv == 0 || (nin > 0 && noutv > 0), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: node %s has %" PetscInt_FMT " incoming and %" PetscInt_FMT " outgoing segments (need both: segments must run downstream)", net->nodes[nd].name, nin, noutv);
  }
  if (region) {
    PetscCall(HtPlan_LocateRegion(net, region, rseg, rs));
  }

  /* breakpoints: lesion ends, region ends, then uniform pieces */
  PetscCall(PetscCalloc1(net->nsegs, &brk));
  PetscCall(HtPlan_FindLesions(net, ph->lesion_min_severity, &nles, &les));
  for (PetscInt l = 0; l < nles; l++) {
    PetscCall(BreakAdd(&brk[les[l].seg], les[l].s0_mm));
    PetscCall(BreakAdd(&brk[les[l].seg], les[l].s1_mm));
  }
  if (region) {
    PetscCall(BreakAdd(&brk[rseg[0]], rs[0]));
    PetscCall(BreakAdd(&brk[rseg[1]], rs[1]));
  }
  map->nsegs = net->nsegs;
  PetscCall(PetscCalloc1(net->nsegs, &map->seg_first));
  PetscCall(PetscCalloc1(net->nsegs, &map->seg_count));
  {
    /* first pass: final breakpoint lists; count vessels */
    PetscInt nv = 0;
    for (PetscInt g = 0; g < net->nsegs; g++) {
      BreakList *b = &brk[g], fin = {0, 0, NULL};
      PetscReal  len = HtNetSegment_Length(&net->segs[g]), last = 0;
      PetscCheck(len > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segment %s: zero length", net->segs[g].name);
      if (b->n > 1) qsort(b->s, b->n, sizeof(PetscReal), CmpReal);
      /* keep breaks at least 0.5 mm from each other and from the segment's ends */
      for (PetscInt i = 0; i < b->n; i++) {
        PetscReal s = b->s[i], gap;
        if (s < last + 0.5 || s > len - 0.5) continue;
        gap = s - last;
        PetscInt npc = PetscMax(1, (PetscInt)PetscFloorReal(gap / ph->vessel_piece_mm + 0.5));
        /* A lesion stays one vessel whatever its length: cut in pieces, each piece would see its own
         * minimum at an end and the expansion (Young-Tsai) loss of the narrowing would be lost. */
        for (PetscInt l = 0; l < nles; l++)
          if (les[l].seg == g && PetscAbsReal(les[l].s0_mm - last) < 1e-9 && PetscAbsReal(les[l].s1_mm - s) < 1e-9) npc = 1;
        for (PetscInt p = 1; p <= npc; p++) PetscCall(BreakAdd(&fin, last + gap * p / npc));
        last = s;
      }
      {
        PetscReal gap = len - last;
        PetscInt  npc = PetscMax(1, (PetscInt)PetscFloorReal(gap / ph->vessel_piece_mm + 0.5));
        for (PetscInt p = 1; p <= npc; p++) PetscCall(BreakAdd(&fin, p == npc ? len : last + gap * p / npc));
      }
      PetscCall(PetscFree(b->s));
      *b = fin;
      map->seg_first[g] = nv;
      map->seg_count[g] = b->n;
      nv += b->n;
    }
    map->nvessels = nv;
    PetscCall(PetscCalloc1(nv, &map->vessels));
  }
  PetscCall(PetscFree(les));

  model = cJSON_CreateObject();
  PetscCheck(model, PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: out of memory");
  {
    cJSON *sp, *bcarr, *junc, *ves, *bc, *vals, *arr;
    char   buf[96];

    PetscCall(AddObject(model, "simulation_parameters", &sp));
    PetscCall(SetString(sp, "model_name", "hemotwin"));
    PetscCall(SetNumber(sp, "number_of_cardiac_cycles", (double)PetscMin(ph->max_cycles, 6)));
    PetscCall(SetNumber(sp, "number_of_time_pts_per_cardiac_cycle", (double)(ph->points_per_cycle + 1)));
    PetscCheck(cJSON_AddBoolToObject(sp, "output_all_cycles", 1), PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: out of memory");
    PetscCheck(cJSON_AddBoolToObject(sp, "steady_initial", 1), PETSC_COMM_SELF, PETSC_ERR_LIB, "cJSON: out of memory");
    PetscCall(SetNumber(sp, "density", ph->blood_density_g_cm3));
    PetscCall(SetNumber(sp, "viscosity", ph->blood_viscosity_P));

    /* inflow */
    PetscCall(AddArray(model, "boundary_conditions", &bcarr));
    bc = cJSON_CreateObject();
    PetscCall(AddItem(bcarr, bc));
    PetscCall(SetString(bc, "bc_name", "INFLOW"));
    PetscCall(SetString(bc, "bc_type", "FLOW"));
    PetscCall(AddObject(bc, "bc_values", &vals));
    PetscCall(HtPlan_InflowWaveform(ph, &nt, &t, &q));
    PetscCall(AddArray(vals, "Q", &arr));
    for (PetscInt i = 0; i < nt; i++) PetscCall(AddItem(arr, cJSON_CreateNumber(q[i])));
    PetscCall(AddArray(vals, "t", &arr));
    for (PetscInt i = 0; i < nt; i++) PetscCall(AddItem(arr, cJSON_CreateNumber(t[i])));
    /* outlets */
    for (PetscInt k = 0; k < bcs->n; k++) {
      bc = cJSON_CreateObject();
      PetscCall(AddItem(bcarr, bc));
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "RCR_%s", bcs->bc[k].name));
      PetscCall(SetString(bc, "bc_name", buf));
      PetscCall(SetString(bc, "bc_type", "RCR"));
      PetscCall(AddObject(bc, "bc_values", &vals));
      PetscCall(SetNumber(vals, "Rp", bcs->bc[k].Rp_cgs));
      PetscCall(SetNumber(vals, "C", bcs->bc[k].C_cgs));
      PetscCall(SetNumber(vals, "Rd", bcs->bc[k].Rd_cgs));
      PetscCall(SetNumber(vals, "Pd", bcs->bc[k].Pd_mmHg * HT_MMHG_TO_DYNCM2));
    }

    /* vessels */
    PetscCall(PetscCalloc1(bcs->n, &map->outlet_vessel));
    map->noutlets     = bcs->n;
    map->inlet_vessel = -1;
    PetscCall(AddArray(model, "vessels", &ves));
    for (PetscInt g = 0; g < net->nsegs; g++) {
      const HtNetSegment *S    = &net->segs[g];
      PetscReal           prev = 0;
      for (PetscInt p = 0; p < map->seg_count[g]; p++) {
        PetscInt       id = map->seg_first[g] + p;
        HtModelVessel *v  = &map->vessels[id];
        cJSON         *vj, *ev;
        PetscCall(HtPlan_VesselParameters(S, prev, brk[g].s[p], ph, v));
        v->seg = g;
        PetscCall(PetscSNPrintf(v->name, sizeof(v->name), "branch%" PetscInt_FMT "_seg%" PetscInt_FMT, g, p));
        prev = brk[g].s[p];
        vj   = cJSON_CreateObject();
        PetscCall(AddItem(ves, vj));
        PetscCall(SetNumber(vj, "vessel_id", (double)id));
        PetscCall(SetString(vj, "vessel_name", v->name));
        PetscCall(SetNumber(vj, "vessel_length", (v->s1_mm - v->s0_mm) * 0.1));
        PetscCall(SetString(vj, "zero_d_element_type", "BloodVessel"));
        PetscCall(AddObject(vj, "zero_d_element_values", &ev));
        PetscCall(SetNumber(ev, "R_poiseuille", v->R_cgs));
        PetscCall(SetNumber(ev, "C", v->C_cgs));
        PetscCall(SetNumber(ev, "L", v->L_cgs));
        PetscCall(SetNumber(ev, "stenosis_coefficient", v->K_stenosis_cgs));
        /* boundary conditions at the network's ends */
        PetscBool first = (PetscBool)(p == 0), lastp = (PetscBool)(p == map->seg_count[g] - 1);
        cJSON    *vb    = NULL;
        if (first && S->node[0] == inlet) {
          PetscCall(AddObject(vj, "boundary_conditions", &vb));
          PetscCall(SetString(vb, "inlet", "INFLOW"));
          map->inlet_vessel = id;
        }
        if (lastp && net->nodes[S->node[1]].kind == HT_NODE_OUTLET) {
          PetscInt k;
          for (k = 0; k < bcs->n; k++)
            if (bcs->bc[k].node == S->node[1]) break;
          PetscCheck(k < bcs->n, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: outlet node %s has no boundary condition", net->nodes[S->node[1]].name);
          if (!vb) PetscCall(AddObject(vj, "boundary_conditions", &vb));
          PetscCall(PetscSNPrintf(buf, sizeof(buf), "RCR_%s", bcs->bc[k].name));
          PetscCall(SetString(vb, "outlet", buf));
          map->outlet_vessel[k] = id;
        }
        PetscCheck(!(S->node[1] == inlet), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s ends at the inlet node", S->name);
        PetscCheck(!(net->nodes[S->node[0]].kind == HT_NODE_OUTLET), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s starts at outlet node %s (segments must run downstream)", S->name, net->nodes[S->node[0]].name);
      }
    }
    PetscCheck(map->inlet_vessel >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: the inlet's segment does not start at the inlet node");

    /* junctions: between pieces of a segment, and at every network node of degree >= 2 */
    PetscInt nj = 0;
    PetscCall(AddArray(model, "junctions", &junc));
    for (PetscInt g = 0; g < net->nsegs; g++) {
      for (PetscInt p = 0; p + 1 < map->seg_count[g]; p++) {
        cJSON *j = cJSON_CreateObject(), *in, *out;
        PetscCall(AddItem(junc, j));
        PetscCall(PetscSNPrintf(buf, sizeof(buf), "J%" PetscInt_FMT, nj++));
        PetscCall(SetString(j, "junction_name", buf));
        PetscCall(SetString(j, "junction_type", "NORMAL_JUNCTION"));
        PetscCall(AddArray(j, "inlet_vessels", &in));
        PetscCall(AddArray(j, "outlet_vessels", &out));
        PetscCall(AddItem(in, cJSON_CreateNumber((double)(map->seg_first[g] + p))));
        PetscCall(AddItem(out, cJSON_CreateNumber((double)(map->seg_first[g] + p + 1))));
      }
    }
    for (PetscInt nd = 0; nd < net->nnodes; nd++) {
      PetscInt nin = 0, noutv = 0;
      if (net->nodes[nd].kind == HT_NODE_INLET || net->nodes[nd].kind == HT_NODE_OUTLET) continue;
      for (PetscInt g = 0; g < net->nsegs; g++) {
        if (net->segs[g].node[1] == nd) nin++;
        if (net->segs[g].node[0] == nd) noutv++;
      }
      if (nin + noutv == 0) continue;
      PetscCheck(nin > 0 && noutv > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: node %s has %" PetscInt_FMT " incoming and %" PetscInt_FMT " outgoing segments (need both: segments must run downstream)", net->nodes[nd].name, nin, noutv);
      cJSON *j = cJSON_CreateObject(), *in, *out;
      PetscCall(AddItem(junc, j));
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "J%" PetscInt_FMT, nj++));
      PetscCall(SetString(j, "junction_name", buf));
      PetscCall(SetString(j, "junction_type", "NORMAL_JUNCTION"));
      PetscCall(AddArray(j, "inlet_vessels", &in));
      PetscCall(AddArray(j, "outlet_vessels", &out));
      for (PetscInt g = 0; g < net->nsegs; g++) {
        if (net->segs[g].node[1] == nd) PetscCall(AddItem(in, cJSON_CreateNumber((double)(map->seg_first[g] + map->seg_count[g] - 1))));
        if (net->segs[g].node[0] == nd) PetscCall(AddItem(out, cJSON_CreateNumber((double)map->seg_first[g])));
      }
    }
  }
  for (PetscInt g = 0; g < net->nsegs; g++) PetscCall(PetscFree(brk[g].s));
  PetscCall(PetscFree(brk));
  PetscCall(PetscFree(t));
  PetscCall(PetscFree(q));
  *model_out = model;
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteModelSelf(const char *path, const cJSON *model)
{
  char *txt;
  char  tmp[PETSC_MAX_PATH_LEN];
  FILE *f;

  PetscFunctionBeginUser;
  txt = cJSON_Print(model);
  PetscCheck(txt, PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: cJSON could not print the model", path);
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  f = fopen(tmp, "w");
  if (!f) {
    cJSON_free(txt);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open for writing", tmp);
  }
  size_t len = strlen(txt), w = fwrite(txt, 1, len, f);
  int    e   = (fputc('\n', f) == EOF);
  e |= fclose(f);
  cJSON_free(txt);
  if (w != len || e) {
    remove(tmp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", tmp);
  }
  if (rename(tmp, path)) {
    remove(tmp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot rename the temporary file into place", path);
  }
  PetscFunctionReturn(0);
}

/* Rank 0 writes; every rank returns the same error code, after the file is in place (collective). */
PetscErrorCode HtPlan_WriteModel(const char *path, const cJSON *model)
{
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  int            code;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) ierr = WriteModelSelf(path, model);
  code = (int)ierr;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, PETSC_COMM_WORLD));
  if (!rank) PetscCall(ierr);
  PetscCheck(!code, PETSC_COMM_SELF, (PetscErrorCode)code, "file %s: writing the model failed on rank 0", path);
  PetscFunctionReturn(0);
}
