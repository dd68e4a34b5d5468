/* Planning without the 0D engine: vessel parameters against Poiseuille/inertance/Olufsen formulas
 * evaluated independently here, lesion detection on a narrowing of known geometry, the three
 * modifications against the geometry they must produce, the model JSON structure, and scoring. */
#include <htplan.h>
#include <httest.h>
#include "plan_testnet.h"

static const PetscReal MU = 0.04, RHO = 1.06;

/* Composite Simpson of f(z) over [a,b] (independent of the code's piecewise-exact integration). */
static double Simpson(double (*f)(double, const double *), const double *par, double a, double b, int n)
{
  double h = (b - a) / n, s = f(a, par) + f(b, par);
  for (int i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h, par);
  return s * h / 3;
}
/* par: r0 (mm), a, zc, w; returns 1/r^4 in cm^-4 */
static double InvR4(double z, const double *p)
{
  double r = TestNarrowRadius(z, p[0], p[1], p[2], p[3]) * 0.1;
  return 1.0 / (r * r * r * r);
}
static double InvR4Taper(double z, const double *p) /* linear p[0] -> p[1] over p[2] mm */
{
  double r = (p[0] + (p[1] - p[0]) * z / p[2]) * 0.1;
  return 1.0 / (r * r * r * r);
}

static PetscErrorCode TestVesselParameters(void)
{
  HtNetwork     net;
  HtPhysiology  ph;
  HtModelVessel v;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  /* uniform tube r = 5 mm, 100 mm */
  PetscCall(TestMakeTube(&net, 100, 1, 5, 0, 0, 0));
  PetscCall(HtPlan_VesselParameters(&net.segs[0], 0, 100, &ph, &v));
  double r = 0.5, L = 10;
  double R = 8 * MU * L / (PETSC_PI * pow(r, 4)), Li = RHO * L / (PETSC_PI * r * r);
  double C = 3 * PETSC_PI * r * r * L / (2 * (2e7 * exp(-22.53 * r) + 8.65e5));
  printf("uniform tube r=5 mm L=100 mm: R %.6g (Poiseuille %.6g) L %.6g (%.6g) C %.6g (%.6g) dyn,cm,s\n", (double)v.R_cgs, R, (double)v.L_cgs, Li, (double)v.C_cgs, C);
  HT_CHECK_CLOSE(v.R_cgs, R, 1e-10, 0, "Poiseuille R");
  HT_CHECK_CLOSE(v.L_cgs, Li, 1e-10, 0, "inertance L");
  HT_CHECK_CLOSE(v.C_cgs, C, 1e-10, 0, "Olufsen compliance C");
  HT_CHECK(v.K_stenosis_cgs == 0, "uniform tube has no stenosis coefficient (%g)", (double)v.K_stenosis_cgs);
  /* half of it: R halves */
  PetscCall(HtPlan_VesselParameters(&net.segs[0], 25, 75, &ph, &v));
  HT_CHECK_CLOSE(v.R_cgs, R / 2, 1e-10, 0, "Poiseuille R of a 50 mm piece");
  PetscCall(HtNetwork_Destroy(&net));

  /* linear taper 6 -> 4 mm over 100 mm, sampled at 11 points (exact for a linear profile) */
  {
    PetscInt  n0, n1;
    PetscReal x[33], rr[11], p0[3] = {0, 0, 0}, p1[3] = {0, 0, 100};
    double    par[3] = {6, 4, 100};
    PetscCall(HtNetwork_Init(&net));
    PetscCall(HtNetwork_AddNode(&net, p0, HT_NODE_INLET, "inlet", &n0));
    PetscCall(HtNetwork_AddNode(&net, p1, HT_NODE_OUTLET, "outlet_1", &n1));
    for (int i = 0; i < 11; i++) {
      x[3 * i] = 0; x[3 * i + 1] = 0; x[3 * i + 2] = 10.0 * i;
      rr[i] = 6 - 0.2 * i;
    }
    PetscCall(HtNetwork_AddSegment(&net, n0, n1, 11, x, rr, "taper", NULL));
    PetscCall(HtPlan_VesselParameters(&net.segs[0], 0, 100, &ph, &v));
    double Rs = 8 * MU / PETSC_PI * Simpson(InvR4Taper, par, 0, 100, 2000) * 0.1; /* ds in cm */
    printf("taper 6->4 mm: R %.6g, Simpson %.6g, K %g\n", (double)v.R_cgs, Rs, (double)v.K_stenosis_cgs);
    HT_CHECK_CLOSE(v.R_cgs, Rs, 1e-8, 0, "tapered Poiseuille R");
    HT_CHECK(v.K_stenosis_cgs == 0, "a taper is not a stenosis (K = %g)", (double)v.K_stenosis_cgs);
    PetscInt   nl;
    HtLesion  *les;
    PetscCall(HtPlan_FindLesions(&net, 0.1, &nl, &les));
    printf("taper: %d lesions found (expected 0)\n", (int)nl);
    HT_CHECK(nl == 0, "taper: %d lesions found", (int)nl);
    PetscCall(PetscFree(les));
    PetscCall(HtNetwork_Destroy(&net));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TestLesionAndModifications(void)
{
  HtNetwork    net, st, by, rs;
  HtPhysiology ph;
  HtLesion    *les;
  PetscInt     nl, graft;
  const double r0 = 5, a = 0.5, zc = 60, w = 20;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  PetscCall(TestMakeTube(&net, 120, 0.5, r0, a, zc, w));
  PetscCall(HtPlan_FindLesions(&net, 0.2, &nl, &les));
  HT_CHECK(nl == 1, "narrowed tube: %d lesions found, expected 1", (int)nl);
  if (nl < 1) PetscFunctionReturn(0);
  printf("lesion: s_min %.2f mm (true 60), range [%.2f, %.2f] (true [50, 70]), r_min %.3f (2.5), r_ref %.3f (5), severity %.3f (0.5)\n", (double)les[0].s_min_mm, (double)les[0].s0_mm, (double)les[0].s1_mm, (double)les[0].r_min_mm, (double)les[0].r_ref_mm, (double)les[0].severity);
  HT_CHECK(fabs(les[0].s_min_mm - zc) <= 2.0, "lesion centre %g mm, expected %g within 2 mm", (double)les[0].s_min_mm, zc);
  HT_CHECK(fabs(les[0].s0_mm - 50) <= 2.0 && fabs(les[0].s1_mm - 70) <= 2.0, "lesion range [%g, %g], expected [50, 70]", (double)les[0].s0_mm, (double)les[0].s1_mm);
  HT_CHECK_CLOSE(les[0].r_min_mm, r0 * (1 - a), 1e-3, 0, "lesion minimum radius");
  HT_CHECK_CLOSE(les[0].severity, a, 0.01, 0, "lesion severity");
  HT_CHECK(fabs(les[0].x_min_mm[2] - zc) <= 2.0, "lesion position z %g", (double)les[0].x_min_mm[2]);

  /* the lesion as its own vessel: stenosis coefficient and Poiseuille R of the narrowing */
  {
    HtOutletSet bcs;
    HtModelMap  map;
    cJSON      *model;
    PetscInt    vl = -1;
    PetscCall(HtOutletSet_CreateFixed(&net, 100, 1e-4, 1000, 0, &bcs));
    PetscCall(HtPlan_BuildModel(&net, &ph, &bcs, &les[0], &model, &map));
    for (PetscInt v = 0; v < map.nvessels; v++)
      if (fabs(map.vessels[v].s0_mm - les[0].s0_mm) < 1e-6 && fabs(map.vessels[v].s1_mm - les[0].s1_mm) < 1e-6) vl = v;
    HT_CHECK(vl >= 0, "the lesion is not a vessel of its own");
    if (vl >= 0) {
      double A0 = PETSC_PI * 0.25, As = PETSC_PI * 0.0625, K = 1.52 * RHO / (2 * A0 * A0) * pow(A0 / As - 1, 2);
      double par[4] = {r0, a, zc, w};
      double R = 8 * MU / PETSC_PI * Simpson(InvR4, par, les[0].s0_mm, les[0].s1_mm, 4000) * 0.1;
      printf("lesion vessel %s: K %.6g (Young-Tsai %.6g), R %.6g (Simpson on the exact profile %.6g)\n", map.vessels[vl].name, (double)map.vessels[vl].K_stenosis_cgs, K, (double)map.vessels[vl].R_cgs, R);
      HT_CHECK_CLOSE(map.vessels[vl].K_stenosis_cgs, K, 0.01, 0, "stenosis coefficient");
      HT_CHECK_CLOSE(map.vessels[vl].R_cgs, R, 0.005, 0, "Poiseuille R of the narrowing");
    }
    /* all pieces are ~15 mm and tile the segment */
    PetscReal cov = 0;
    for (PetscInt v = 0; v < map.nvessels; v++) cov += map.vessels[v].s1_mm - map.vessels[v].s0_mm;
    HT_CHECK_CLOSE(cov, 120, 1e-9, 0, "vessels tile the segment");
    printf("model of the narrowed tube: %d vessels\n", (int)map.nvessels);
    cJSON_Delete(model);
    PetscCall(HtModelMap_Destroy(&map));
    PetscCall(HtOutletSet_Destroy(&bcs));
  }

  /* a region given by two points (e.g. from a case file): its ends, minimum and severity */
  {
    HtLesion  reg;
    PetscReal a0[3] = {0.3, 0, 45}, a1[3] = {0, -0.2, 75};
    PetscCall(HtPlan_RegionFromPoints(&net, a1, a0, &reg));
    printf("region from points: seg %d, [%.3f, %.3f] mm, min %.3f mm at %.2f, severity %.3f (0.5)\n", (int)reg.seg, (double)reg.s0_mm, (double)reg.s1_mm, (double)reg.r_min_mm, (double)reg.s_min_mm, (double)reg.severity);
    HT_CHECK(reg.seg == 0 && fabs(reg.s0_mm - 45) < 1e-9 && fabs(reg.s1_mm - 75) < 1e-9, "region ends");
    HT_CHECK_CLOSE(reg.severity, 0.5, 1e-9, 0, "region severity");
  }

  /* stent, full success: radius back to 5 mm everywhere, no lesion left; half success: 3.75 mm */
  PetscCall(HtNetwork_Clone(&net, &st));
  PetscCall(HtPlan_ApplyStent(&st, &les[0], 1.0));
  {
    PetscReal rmin = 1e9, rmax = 0;
    for (PetscInt i = 0; i < st.segs[0].npts; i++) {
      rmin = PetscMin(rmin, st.segs[0].r[i]);
      rmax = PetscMax(rmax, st.segs[0].r[i]);
    }
    printf("stent 100%%: radius range [%.4f, %.4f] mm (5)\n", (double)rmin, (double)rmax);
    HT_CHECK_CLOSE(rmin, r0, 1e-3, 0, "stented minimum radius");
    HT_CHECK_CLOSE(rmax, r0, 1e-12, 0, "stent never widens beyond the healthy line");
    HtLesion *l2;
    PetscInt  n2;
    PetscCall(HtPlan_FindLesions(&st, 0.2, &n2, &l2));
    HT_CHECK(n2 == 0, "stented tube still has %d lesions", (int)n2);
    PetscCall(PetscFree(l2));
  }
  PetscCall(HtNetwork_Destroy(&st));
  PetscCall(HtNetwork_Clone(&net, &st));
  PetscCall(HtPlan_ApplyStent(&st, &les[0], 0.5));
  HT_CHECK_CLOSE(HtNetSegment_RadiusAt(&st.segs[0], zc), 3.75, 1e-3, 0, "half-successful stent radius at the minimum");
  PetscCall(HtNetwork_Destroy(&st));

  /* bypass around the lesion: 15 mm margins -> anastomoses 50 mm apart, graft 1.2 x 50 = 60 mm */
  PetscCall(HtNetwork_Clone(&net, &by));
  PetscCall(HtPlan_ApplyBypassAroundLesion(&by, &les[0], 15, 4, 0, &graft));
  PetscCall(HtNetwork_Check(&by));
  {
    PetscReal D = les[0].s1_mm - les[0].s0_mm + 30;
    printf("bypass: %d nodes, %d segments, graft length %.3f mm (1.2 x %.2f = %.3f), radius %.2f\n", (int)by.nnodes, (int)by.nsegs, (double)HtNetSegment_Length(&by.segs[graft]), (double)D, 1.2 * D, (double)by.segs[graft].r[0]);
    HT_CHECK(by.nnodes == 4 && by.nsegs == 4, "bypass: %d nodes %d segments (expected 4, 4)", (int)by.nnodes, (int)by.nsegs);
    HT_CHECK(by.segs[graft].kind == 1, "graft kind");
    HT_CHECK_CLOSE(HtNetSegment_Length(&by.segs[graft]), 1.2 * D, 0.002, 0, "graft length");
    /* the graft's ends are the anastomosis points on the native vessel */
    HT_CHECK_CLOSE(by.segs[graft].x[2], les[0].s0_mm - 15, 1e-6, 1e-6, "graft proximal anastomosis z");
    HT_CHECK_CLOSE(by.segs[graft].x[3 * (by.segs[graft].npts - 1) + 2], les[0].s1_mm + 15, 1e-6, 1e-6, "graft distal anastomosis z");
    HtOutletSet bcs;
    HtModelMap  map;
    cJSON      *model;
    PetscCall(HtOutletSet_CreateFixed(&by, 100, 1e-4, 1000, 0, &bcs));
    PetscCall(HtPlan_BuildModel(&by, &ph, &bcs, &les[0], &model, &map));
    cJSON *jn = cJSON_GetObjectItemCaseSensitive(model, "junctions");
    int    n21 = 0, n12 = 0;
    cJSON *j;
    cJSON_ArrayForEach(j, jn)
    {
      int ni = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "inlet_vessels")), no = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "outlet_vessels"));
      if (ni == 1 && no == 2) n12++;
      if (ni == 2 && no == 1) n21++;
    }
    printf("bypass model: %d vessels, %d junctions (split 1->2: %d, merge 2->1: %d)\n", (int)map.nvessels, cJSON_GetArraySize(jn), n12, n21);
    HT_CHECK(n12 == 1 && n21 == 1, "bypass model junctions: %d splits, %d merges (expected 1, 1)", n12, n21);
    cJSON_Delete(model);
    PetscCall(HtModelMap_Destroy(&map));
    PetscCall(HtOutletSet_Destroy(&bcs));
  }
  PetscCall(HtNetwork_Destroy(&by));
  /* bypass with an explicit length */
  PetscCall(HtNetwork_Clone(&net, &by));
  PetscCall(HtPlan_ApplyBypass(&by, 0, 30, 0, 90, 4, 80, &graft));
  HT_CHECK_CLOSE(HtNetSegment_Length(&by.segs[graft]), 80, 0.002, 0, "graft of explicit length 80 mm");
  PetscCall(HtNetwork_Destroy(&by));

  /* resection: the 20 mm lesion removed; the outlet moves up by 20 mm */
  PetscCall(HtNetwork_Clone(&net, &rs));
  PetscCall(HtPlan_ApplyResection(&rs, &les[0]));
  PetscCall(HtNetwork_Check(&rs));
  printf("resection: length %.3f mm (120 - 20 = 100), outlet z %.3f, min radius %.3f\n", (double)HtNetSegment_Length(&rs.segs[0]), (double)rs.nodes[1].x[2], (double)rs.segs[0].r[0]);
  HT_CHECK_CLOSE(HtNetSegment_Length(&rs.segs[0]), 120 - (les[0].s1_mm - les[0].s0_mm), 1e-9, 1e-6, "resected length");
  HT_CHECK_CLOSE(rs.nodes[1].x[2], 120 - (les[0].s1_mm - les[0].s0_mm), 1e-9, 1e-6, "outlet moved up");
  {
    PetscReal rmin = 1e9;
    for (PetscInt i = 0; i < rs.segs[0].npts; i++) rmin = PetscMin(rmin, rs.segs[0].r[i]);
    HT_CHECK(rmin > 4.9, "resected vessel min radius %g", (double)rmin);
  }
  PetscCall(HtNetwork_Destroy(&rs));
  PetscCall(PetscFree(les));
  PetscCall(HtNetwork_Destroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestModelY(void)
{
  HtNetwork    net;
  HtPhysiology ph;
  HtOutletSet  bcs;
  HtModelMap   map;
  cJSON       *model;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  PetscCall(TestMakeY(&net, 50, 6, 40, 20, 4, 3));
  PetscCall(HtOutletSet_CreateFixed(&net, 500, 2e-4, 5000, 5, &bcs));
  /* Murray split r^3: 64/(64+27) */
  printf("Y: Murray fractions %.4f %.4f (expected %.4f %.4f)\n", (double)bcs.bc[0].flow_fraction, (double)bcs.bc[1].flow_fraction, 64.0 / 91, 27.0 / 91);
  HT_CHECK_CLOSE(bcs.bc[0].flow_fraction, 64.0 / 91, 1e-12, 0, "Murray fraction outlet_1");
  PetscCall(HtPlan_BuildModel(&net, &ph, &bcs, NULL, &model, &map));
  {
    /* trunk 50 mm -> pieces of ~15 mm: round(50/15) = 3; Poiseuille R of the trunk */
    double Rt = 8 * MU * 5.0 / (PETSC_PI * pow(0.6, 4)), R = 0;
    for (PetscInt v = map.seg_first[0]; v < map.seg_first[0] + map.seg_count[0]; v++) R += map.vessels[v].R_cgs;
    printf("Y model: %d vessels (trunk %d pieces), trunk R %.6g (Poiseuille %.6g)\n", (int)map.nvessels, (int)map.seg_count[0], R, Rt);
    HT_CHECK(map.seg_count[0] == 3, "trunk pieces %d", (int)map.seg_count[0]);
    HT_CHECK_CLOSE(R, Rt, 1e-10, 0, "trunk R");
    cJSON *bc = cJSON_GetObjectItemCaseSensitive(model, "boundary_conditions"), *b;
    int    nrcr = 0, nflow = 0;
    cJSON_ArrayForEach(b, bc)
    {
      const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "bc_type"));
      if (type && !strcmp(type, "RCR")) {
        nrcr++;
        double Pd = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "bc_values"), "Pd"));
        HT_CHECK_CLOSE(Pd, 5 * 1333.22387415, 1e-12, 0, "Pd in dyn/cm^2");
      }
      if (type && !strcmp(type, "FLOW")) nflow++;
    }
    HT_CHECK(nrcr == 2 && nflow == 1, "boundary conditions: %d RCR, %d FLOW", nrcr, nflow);
    HT_CHECK(map.inlet_vessel == 0 && map.outlet_vessel[0] == map.seg_first[1] + map.seg_count[1] - 1, "inlet/outlet vessel map");
  }
  PetscCall(HtPlan_WriteModel("plan_model_Y.json", model));
  {
    FILE *f = fopen("plan_model_Y.json", "r");
    HT_CHECK(f != NULL, "model file not written");
    if (f) {
      char  *buf = calloc(1 << 22, 1);
      size_t n   = fread(buf, 1, (1 << 22) - 1, f);
      fclose(f);
      cJSON *back = cJSON_Parse(buf);
      HT_CHECK(back && n > 0, "written model does not parse");
      if (back) {
        HT_CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(back, "vessels")) == map.nvessels, "written model vessel count");
        cJSON_Delete(back);
      }
      free(buf);
    }
  }
  cJSON_Delete(model);
  PetscCall(HtModelMap_Destroy(&map));
  PetscCall(HtOutletSet_Destroy(&bcs));
  /* a narrowing 4-16 mm into the left daughter: the bypass's proximal anastomosis walks back past the
   * junction onto the trunk, 15 mm before the lesion: trunk z = 50 - (15 - 4) = 39 mm */
  {
    HtNetSegment *S = &net.segs[1];
    HtLesion     *les;
    PetscInt      nl, graft;
    for (PetscInt i = 0; i < S->npts; i++) S->r[i] = TestNarrowRadius(S->s[i], 4, 0.5, 10, 12);
    PetscCall(HtPlan_FindLesions(&net, 0.2, &nl, &les));
    HT_CHECK(nl == 1, "Y daughter narrowing: %d lesions", (int)nl);
    if (nl == 1) {
      PetscCall(HtPlan_ApplyBypassAroundLesion(&net, &les[0], 15, 3, 0, &graft));
      const HtNetSegment *G = &net.segs[graft];
      printf("bypass past the junction: lesion [%.2f, %.2f] mm on %s, graft from (%.2f, %.2f, %.2f) (expected z = 50 - (15 - s0)) to s = s1 + 15 on the daughter, length %.1f mm\n", (double)les[0].s0_mm, (double)les[0].s1_mm, net.segs[les[0].seg].name, (double)G->x[0], (double)G->x[1], (double)G->x[2], (double)HtNetSegment_Length(G));
      HT_CHECK(fabs(G->x[0]) < 1e-9 && fabs(G->x[2] - (50 - (15 - les[0].s0_mm))) < 1e-6, "proximal anastomosis not on the trunk at z = %g", (double)(50 - (15 - les[0].s0_mm)));
      PetscCall(HtNetwork_Check(&net));
    }
    PetscCall(PetscFree(les));
  }
  PetscCall(HtNetwork_Destroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestInflow(void)
{
  HtPhysiology ph;
  PetscInt     nt;
  PetscReal   *t, *q, mean = 0, qmax = -1, tmax = 0, qmin = 1e9;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  ph.heart_rate_bpm       = 60;
  ph.cardiac_output_L_min = 6;
  PetscCall(HtPlan_InflowWaveform(&ph, &nt, &t, &q));
  for (PetscInt i = 0; i + 1 < nt; i++) mean += 0.5 * (q[i] + q[i + 1]) * (t[i + 1] - t[i]);
  for (PetscInt i = 0; i < nt; i++) {
    if (q[i] > qmax) { qmax = q[i]; tmax = t[i]; }
    qmin = PetscMin(qmin, q[i]);
  }
  printf("inflow: period %.4f s (1), stroke volume %.3f mL (100), peak %.1f mL/s at %.3f s, min %.2f mL/s\n", (double)t[nt - 1], mean, (double)qmax, (double)tmax, (double)qmin);
  HT_CHECK_CLOSE(t[nt - 1], 1.0, 1e-12, 0, "period = 60/HR");
  HT_CHECK_CLOSE(mean, 100.0, 1e-9, 0, "stroke volume = CO/HR");
  HT_CHECK(qmin < 0 && qmin > -0.2 * qmax, "small backflow (min %g)", (double)qmin);
  HT_CHECK(fabs(tmax - 0.175) < 0.01, "peak at mid-ejection (%g s)", (double)tmax);
  PetscCall(PetscFree(t));
  PetscCall(PetscFree(q));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestScoring(void)
{
  HtCandidateResult res[3];
  HtScoring         sc;
  HtPhysiology      ph;

  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(&ph));
  PetscCall(PetscMemzero(res, sizeof(res)));
  const char     *names[3] = {"baseline", "stent", "band"};
  const PetscReal dp[3] = {25, 5, 12.5}, split[3] = {60, 62, 75};
  for (int c = 0; c < 3; c++) {
    PetscCall(PetscStrncpy(res[c].name, names[c], sizeof(res[c].name)));
    PetscCall(HtCandidateResult_SetMetric(&res[c], "pressure_drop_peak_mmHg", dp[c]));
    PetscCall(HtCandidateResult_SetMetric(&res[c], "flow_split_percent_outlet_1", split[c]));
    PetscCall(HtCandidateResult_SetMetric(&res[c], "flow_split_percent_outlet_2", 100 - split[c]));
    PetscCall(HtCandidateResult_SetMetric(&res[c], "cardiac_output_L_min", 5.0));
  }
  PetscCall(HtScoring_Default(&ph, &sc));
  PetscCall(HtPlan_Score(res, 3, 0, &sc));
  /* baseline: d(25) = 0, split change 0 -> 1, CO 1: (0.6*0 + 0.2 + 0.2) = 0.4
   * stent: d(5) = 1, change 2 -> 0.8, CO 1: 0.6 + 0.16 + 0.2 = 0.96
   * band: d(12.5) = 0.5, change 15 -> guard fails: 0.3 + 0 + 0.2 - 1 = -0.5 */
  printf("scores: baseline %.4f (0.4) rank %d, stent %.4f (0.96) rank %d, band %.4f (-0.5) rank %d %s\n", (double)res[0].score, (int)res[0].rank, (double)res[1].score, (int)res[1].rank, (double)res[2].score, (int)res[2].rank, res[2].guard_note);
  HT_CHECK_CLOSE(res[0].score, 0.4, 1e-12, 1e-12, "baseline score");
  HT_CHECK_CLOSE(res[1].score, 0.96, 1e-12, 1e-12, "stent score");
  HT_CHECK_CLOSE(res[2].score, -0.5, 1e-12, 1e-12, "band score");
  HT_CHECK(res[1].rank == 1 && res[0].rank == 2 && res[2].rank == 3, "ranking");
  HT_CHECK(res[2].guard_failed && !res[1].guard_failed, "guard");
  PetscReal v;
  PetscCall(HtCandidateResult_GetMetric(&res[2], "flow_split_change_percent", &v, NULL));
  HT_CHECK_CLOSE(v, 15, 1e-12, 0, "flow split change vs baseline");
  PetscCall(HtScoring_SetWeight(&sc, "power_loss_mW", 0.5));
  HT_CHECK(sc.nobj == 4, "power loss objective added");
  for (int c = 0; c < 3; c++) PetscCall(HtCandidateResult_Destroy(&res[c]));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBeginUser;
  PetscCall(TestVesselParameters());
  PetscCall(TestLesionAndModifications());
  PetscCall(TestModelY());
  PetscCall(TestInflow());
  PetscCall(TestScoring());
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
