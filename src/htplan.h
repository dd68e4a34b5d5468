/* hemotwin planning: vessel network -> lumped (0D) model, lesion detection, surgical modifications,
 * metrics, scores and ranking.
 *
 * Units: the network is in mm (HtNetwork); the 0D models built here are svZeroDSolver JSON in cgs
 * (cm, g, s; pressure dyn/cm^2, flow mL/s, R dyn s/cm^5, C cm^5/dyn, L g/cm^4). Every struct field and
 * metric name carries its unit (_mm, _mmHg, _mL_s, _cgs = the cgs unit of that quantity).
 *
 * Typical use (the pipeline):
 *   HtPhysiology ph; HtPhysiology_Default(&ph); ... set from the case ...
 *   HtPlan_FindLesions(&net, 0.2, &nles, &les);                 worst first
 *   HtOutletSet bcs; HtPlan_TuneOutlets(&net, &ph, NULL, &les[0] or NULL, &bcs);   baseline calibration
 *   for each candidate:
 *     HtNetwork cand; HtNetwork_Clone(&net, &cand);
 *     HtPlan_ApplyStent(&cand, &les[0], 1.0)  or  HtPlan_ApplyBypass(&cand, ...)
 *     HtPlan_Simulate(&cand, &ph, &bcs, &les[0], name, &res[i]);          solved to periodic state
 *     HtPlan_WriteModel("candidates/<name>.json", res[i].model);
 *     HtPlan_WriteResultsVTK("results", name, &cand, &res[i]);
 *   HtPlan_Score(res, n, 0 (baseline index), &scoring);            desirability, score, rank
 *   HtCandidateResult_Destroy(&res[i]); HtOutletSet_Destroy(&bcs); PetscFree(les);
 */
#pragma once
#include <htcore.h>
#include <htnetwork.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- physiology / simulation settings -------------------------------------------------------- */
typedef struct {
  PetscReal heart_rate_bpm;       /* period = 60/HR s                                             (75)  */
  PetscReal cardiac_output_L_min; /* mean inflow                                                  (5.0) */
  PetscReal mean_pressure_mmHg;   /* target mean inlet pressure for outlet tuning                 (93)  */
  PetscReal pulse_pressure_mmHg;  /* target inlet pulse pressure; <= 0: compliance from tau_s     (40)  */
  PetscReal venous_pressure_mmHg; /* RCR distal pressure Pd                                       (0)   */
  PetscReal tau_s;                /* RC time constant used when pulse_pressure_mmHg <= 0          (1.2) */
  PetscReal blood_density_g_cm3;  /*                                                              (1.06)*/
  PetscReal blood_viscosity_P;    /* dyn s/cm^2                                                   (0.04)*/
  PetscInt  points_per_cycle;     /* inflow samples = time steps per cycle                        (200) */
  PetscInt  max_cycles;           /* upper bound on cycles run to reach periodic state            (20)  */
  PetscReal cycle_tolerance_mmHg; /* periodic: max |P(t) - P(t-T)| over the inlet and outlets     (0.1) */
  PetscReal vessel_piece_mm;      /* target length of one 0D vessel when splitting segments       (15)  */
  PetscReal lesion_min_severity;  /* narrowings at least this severe become their own 0D vessel   (0.2) */
  PetscBool steady_inflow;        /* constant inflow = CO (verification); default pulsatile             */
} HtPhysiology;
PetscErrorCode HtPhysiology_Default(HtPhysiology *ph);
PetscErrorCode HtPhysiology_Check(const HtPhysiology *ph); /* PETSC_ERR_USER_INPUT naming the field */

/* Aortic inflow waveform Q(t) (mL/s) on nt = points_per_cycle + 1 samples over one period (t[0] = 0,
 * t[nt-1] = T): systolic ejection as sin^2 over 0.35 T, a small early-diastolic backflow (sin^2 dip,
 * 3 % of the stroke volume), zero in diastole, scaled so the cycle mean equals the cardiac output.
 * Arrays are allocated (PetscFree). */
PetscErrorCode HtPlan_InflowWaveform(const HtPhysiology *ph, PetscInt *nt, PetscReal **t_s, PetscReal **q_mL_s);

/* ---- lesions --------------------------------------------------------------------------------- */
typedef struct {
  PetscInt  seg;                 /* network segment                                                  */
  PetscReal s0_mm, s1_mm;        /* narrowed range (arc length along seg)                             */
  PetscReal s_min_mm;            /* location of the minimum radius                                    */
  PetscReal r_min_mm, r_ref_mm;  /* minimum radius; healthy reference (linear between r(s0), r(s1))   */
  PetscReal x0_mm[3], x1_mm[3];  /* LPS position of the range ends: locate the region again after edits */
  PetscReal x_min_mm[3];         /* LPS position of the minimum                                        */
  PetscReal severity;            /* 1 - r_min/r_ref                                                    */
  PetscReal length_mm;           /* s1 - s0                                                            */
} HtLesion;
/* Narrowings (severity >= min_severity) of native segments, worst first; *lesions allocated (PetscFree),
 * NULL when n = 0. */
PetscErrorCode HtPlan_FindLesions(const HtNetwork *net, PetscReal min_severity, PetscInt *n, HtLesion **lesions);
/* A region given by two points (LPS mm) on the same native segment (e.g. from a case file). */
PetscErrorCode HtPlan_RegionFromPoints(const HtNetwork *net, const PetscReal x0_mm[3], const PetscReal x1_mm[3], HtLesion *region);

/* Nearest point of the native (kind 0) segments to x: segment, arc length, distance (may be NULL). */
PetscErrorCode HtPlan_LocatePoint(const HtNetwork *net, const PetscReal x_mm[3], PetscInt *seg, PetscReal *s_mm, PetscReal *dist_mm);
/* The region's two ends (x0_mm, x1_mm) located on a (possibly edited) network. */
PetscErrorCode HtPlan_LocateRegion(const HtNetwork *net, const HtLesion *region, PetscInt seg[2], PetscReal s_mm[2]);

/* ---- outlet boundary conditions ---------------------------------------------------------------- */
typedef struct {
  PetscInt  node;          /* outlet node of the network                                      */
  char      name[32];      /* node name (the RCR block is "RCR_<name>")                       */
  PetscReal flow_fraction; /* target split 0..1                                               */
  PetscReal Rp_cgs, C_cgs, Rd_cgs; /* dyn s/cm^5, cm^5/dyn, dyn s/cm^5                         */
  PetscReal Pd_mmHg;       /* distal (venous) pressure                                        */
} HtOutletBC;
typedef struct {
  PetscInt    n;
  HtOutletBC *bc;
  /* tuning diagnostics */
  PetscInt  solves;                     /* 0D solves used by the tuning                        */
  PetscReal mean_pressure_sim_mmHg;     /* simulated mean inlet pressure after tuning          */
  PetscReal mean_pressure_residual_percent; /* 100 (sim - target)/target                       */
  PetscReal pulse_pressure_sim_mmHg;
  PetscReal rp_fraction;                /* Rp/(Rp+Rd) after tuning (starts at 0.09)             */
} HtOutletSet;
PetscErrorCode HtOutletSet_Destroy(HtOutletSet *bcs);
/* Three-element Windkessel per outlet so that the mean inlet pressure hits ph->mean_pressure_mmHg and
 * the flow splits are split[k] (fractions in outlet-node order, summing to 1) or, split = NULL, Murray's
 * law (Q_k ~ r_k^3, mean radius over the outlet's last 5 mm). R_total,k = (P_mean - Pd - path drop)/Q_k,
 * Rp = 0.09 R_total, C from the pulse pressure (SV/PP minus the vessels' own compliance, or tau/R)
 * distributed ~ flow; then up to 5 nonlinear 0D solves: R_total,k from the simulated path drops (mean
 * pressure within 0.2 %, warned above 1 %), and the pulse pressure through C, then through the Rp share
 * (0.02-0.15) when C cannot move it (best effort, reported). 'region' (may be NULL) is passed to the
 * model builder so the tuned model is split like the candidates. The network must be a tree. */
PetscErrorCode HtPlan_TuneOutlets(const HtNetwork *net, const HtPhysiology *ph, const PetscReal *split, const HtLesion *region, HtOutletSet *bcs);
/* Outlets with fixed values (no tuning): Rp/C/Rd/Pd per outlet node in node order; for verification. */
PetscErrorCode HtOutletSet_CreateFixed(const HtNetwork *net, PetscReal Rp_cgs, PetscReal C_cgs, PetscReal Rd_cgs, PetscReal Pd_mmHg, HtOutletSet *bcs);

/* ---- network -> svZeroDSolver model ---------------------------------------------------------------- */
/* Per segment: R = int 8 mu/(pi r^4) ds (Poiseuille), L = int rho/(pi r^2) ds,
 * C = int 3 pi r^3/(2 Eh) ds with Eh/r0 = k1 exp(k2 r0) + k3 (Olufsen 1999),
 * stenosis_coefficient = K_t rho/(2 A0^2) (A0/A_s - 1)^2 (Young & Tsai 1973, K_t = 1.52). */
typedef struct {
  char      name[32];        /* "branch<seg>_seg<k>"                               */
  PetscInt  seg;             /* network segment                                    */
  PetscReal s0_mm, s1_mm;    /* arc-length range of the segment it models          */
  PetscReal R_cgs, C_cgs, L_cgs, K_stenosis_cgs;
} HtModelVessel;
typedef struct {
  PetscInt       nvessels;
  HtModelVessel *vessels;
  PetscInt       nsegs;
  PetscInt      *seg_first, *seg_count; /* the vessels of segment i: seg_first[i] .. +seg_count[i]-1, proximal to distal */
  PetscInt       inlet_vessel;          /* the vessel fed by the inflow BC                                                */
  PetscInt      *outlet_vessel;         /* per outlet of the HtOutletSet: the vessel ending at it                         */
  PetscInt       noutlets;
} HtModelMap;
PetscErrorCode HtModelMap_Destroy(HtModelMap *map);
/* Build the model. Segments are cut into pieces of ~ph->vessel_piece_mm, and at the ends of every
 * lesion (severity >= ph->lesion_min_severity) and of 'region' (may be NULL), so those are vessels of
 * their own. *model is created (cJSON_Delete), map filled (HtModelMap_Destroy). */
PetscErrorCode HtPlan_BuildModel(const HtNetwork *net, const HtPhysiology *ph, const HtOutletSet *bcs, const HtLesion *region, cJSON **model, HtModelMap *map);
/* Integrals of one segment piece [s0,s1] (mm) in cgs: the vessel parameters above. */
PetscErrorCode HtPlan_VesselParameters(const HtNetSegment *seg, PetscReal s0_mm, PetscReal s1_mm, const HtPhysiology *ph, HtModelVessel *v);
PetscErrorCode HtPlan_WriteModel(const char *path, const cJSON *model); /* pretty JSON, atomic (temp + rename) */

/* ---- modifications (edit a clone of the baseline network) ------------------------------------------ */
/* Stent/angioplasty: radius in [s0,s1] of l->seg moved toward the straight line between the healthy
 * neighbours r(s0), r(s1) by 'success' (0..1); never narrows. */
PetscErrorCode HtPlan_ApplyStent(HtNetwork *net, const HtLesion *l, PetscReal success);
/* Bypass graft (segment kind 1) from (seg_from, s_from) to (seg_to, s_to): segments split there; the graft
 * is a smooth bowed tube of radius_mm and length length_mm (<= 0: straight distance x 1.2). The new
 * segment id is returned in *graft (may be NULL). */
PetscErrorCode HtPlan_ApplyBypass(HtNetwork *net, PetscInt seg_from, PetscReal s_from_mm, PetscInt seg_to, PetscReal s_to_mm, PetscReal radius_mm, PetscReal length_mm, PetscInt *graft);
/* Bypass around a lesion: anastomoses margin_mm proximal/distal of the lesion's ends, measured along
 * the native vessels (past a junction into the parent / the widest child segment; never closer than
 * 1 mm to the inlet or an outlet). */
PetscErrorCode HtPlan_ApplyBypassAroundLesion(HtNetwork *net, const HtLesion *l, PetscReal margin_mm, PetscReal radius_mm, PetscReal length_mm, PetscInt *graft);
/* Resection with end-to-end anastomosis: the lesion range is removed, the distal part moved up to join
 * the proximal end (downstream geometry translated), radius across the join interpolated. */
PetscErrorCode HtPlan_ApplyResection(HtNetwork *net, const HtLesion *l);
/* Band: radius in [s0,s1] of seg multiplied by factor (0..1]. */
PetscErrorCode HtPlan_ApplyBand(HtNetwork *net, PetscInt seg, PetscReal s0_mm, PetscReal s1_mm, PetscReal factor);

/* ---- simulation and metrics -------------------------------------------------------------------------- */
#define HT_PLAN_MAX_METRICS 128
typedef struct {
  char      name[64]; /* with its unit: "pressure_drop_peak_mmHg", "flow_split_percent_outlet_1", ... */
  PetscReal value;
} HtMetric;

typedef struct {
  char      name[64];           /* candidate name                                  */
  PetscInt  nmetrics;
  HtMetric  metrics[HT_PLAN_MAX_METRICS];
  /* scoring (HtPlan_Score) */
  PetscReal score;              /* weighted desirability minus guard penalties      */
  PetscInt  rank;               /* 1 = best                                         */
  PetscBool guard_failed;
  char      guard_note[128];    /* which guard failed                               */
  /* solve diagnostics */
  PetscInt  cycles_used;
  PetscReal cycle_change_mmHg;  /* max |P(t) - P(t-T)| of the last cycle            */
  /* solution over the last cycle, per model vessel (map.nvessels x nt, row-major by vessel) */
  cJSON      *model;            /* the solved svZeroDSolver model (owned)           */
  HtModelMap  map;
  PetscInt    nt;
  PetscReal  *t_s;              /* nt                                              */
  PetscReal  *p_in_mmHg, *p_out_mmHg, *q_in_mL_s, *q_out_mL_s;
} HtCandidateResult;
PetscErrorCode HtCandidateResult_Destroy(HtCandidateResult *res);
/* Value of a metric by name; *found false (value untouched) if absent. found may be NULL (then absent = error). */
PetscErrorCode HtCandidateResult_GetMetric(const HtCandidateResult *res, const char *name, PetscReal *value, PetscBool *found);
PetscErrorCode HtCandidateResult_SetMetric(HtCandidateResult *res, const char *name, PetscReal value);

/* Build + solve to periodic state + metrics. Periodic state: the model is run for 4 cycles, then, from
 * the decay rate of the cycle-to-cycle change, for as many cycles as predicted to bring the change of
 * the inlet/outlet pressures below ph->cycle_tolerance_mmHg (at most ph->max_cycles; a warning if not
 * reached); res->cycles_used and res->cycle_change_mmHg report it. 'region' (may be NULL): where the
 * pressure drop is measured (its ends are located by position, so it survives edits of the network).
 * Metrics: inlet_pressure_systolic_mmHg, inlet_pressure_diastolic_mmHg, inlet_pressure_mean_mmHg,
 * inlet_pulse_pressure_mmHg, cardiac_output_L_min, and per outlet flow_split_percent_<outlet>,
 * outlet_flow_mean_mL_s_<outlet>, outlet_pressure_mean_mmHg_<outlet>;
 * power_loss_mW (inlet minus outlets, cycle mean), and with a region: pressure_drop_peak_mmHg
 * (max P proximal - max P distal), pressure_drop_mean_mmHg, pressure_drop_max_instantaneous_mmHg,
 * region_flow_mean_mL_s; with grafts: graft_flow_mean_mL_s, graft_flow_percent (of the inflow). */
PetscErrorCode HtPlan_Simulate(const HtNetwork *net, const HtPhysiology *ph, const HtOutletSet *bcs, const HtLesion *region, const char *cand_name, HtCandidateResult *res);

/* ---- scoring ---------------------------------------------------------------------------------------- */
#define HT_PLAN_MAX_OBJECTIVES 16
typedef struct {
  char      metric[64];
  PetscReal unacceptable, target; /* desirability 0 at 'unacceptable', 1 at 'target', linear, clamped */
  PetscReal weight;
} HtObjective;
typedef struct {
  char      metric[64];
  PetscReal max_value;            /* guard fails when metric > max_value                              */
  PetscReal penalty;              /* subtracted from the score                                        */
} HtGuard;
typedef struct {
  PetscInt    nobj;
  HtObjective obj[HT_PLAN_MAX_OBJECTIVES];
  PetscInt    nguards;
  HtGuard     guard[HT_PLAN_MAX_OBJECTIVES];
} HtScoring;
/* Defaults: pressure_drop_peak_mmHg 20 -> 5 (w 0.6; 20 mmHg = guideline threshold for coarctation
 * intervention), flow_split_change_percent 10 -> 0 (w 0.2), cardiac_output_L_min 0.8 CO -> CO (w 0.2);
 * guard flow_split_change_percent <= 10 (penalty 1). */
PetscErrorCode HtScoring_Default(const HtPhysiology *ph, HtScoring *s);
/* Set the weight of an objective by metric name (adds it with the default range if known, else error). */
/* Metrics that have a default desirability range (scorable objectives). */
#define HT_SCORING_KNOWN_METRICS "pressure_drop_peak_mmHg, pressure_drop_mean_mmHg, pressure_drop_max_instantaneous_mmHg, flow_split_change_percent, cardiac_output_L_min, power_loss_mW"
PetscBool      HtScoring_IsKnownMetric(const char *metric);
PetscErrorCode HtScoring_SetWeight(HtScoring *s, const char *metric, PetscReal weight);
/* Adds comparative metrics vs res[baseline] (flow_split_change_percent, pressure_drop_peak_change_mmHg),
 * then desirability, score and rank (1 = best; ties keep input order). */
PetscErrorCode HtPlan_Score(HtCandidateResult *res, PetscInt n, PetscInt baseline, const HtScoring *s);

/* ---- output --------------------------------------------------------------------------------------- */
/* <dir>/<cand>/network_NNNN.vtp (polylines with point arrays pressure_mmHg, flow_mL_s, radius_mm,
 * cell array graft) for ~50 frames of the last cycle, and <dir>/<cand>.pvd (ASCII XML). Rank 0 writes. */
PetscErrorCode HtPlan_WriteResultsVTK(const char *dir, const char *cand_name, const HtNetwork *net, const HtCandidateResult *res);


/* ==== planning on svZeroDSolver models (`hemotwin plan PLAN.json --out DIR`) ===========================
 * A plan names a baseline svZeroDSolver JSON model; the operators below edit a cJSON copy of it (vessels,
 * junctions, boundary conditions by name). Lengths in the model are cm; pressures are dyn/cm^2 (cgs,
 * VMR models) or mmHg (svZeroDSolver's closed-loop heart models): HtZUnits says which. */
typedef struct {
  PetscReal pressure_to_mmHg;   /* model pressure x this = mmHg (1/1333.22 for cgs, 1 for mmHg models)  */
  PetscReal density_g_cm3;      /* from simulation_parameters.density (1.06)                            */
  PetscReal viscosity_P;        /* from simulation_parameters.viscosity (0.04)                          */
} HtZUnits;
/* units from the model (pressure_unit "dyn_cm2" or "mmHg"; NULL = dyn_cm2) */
PetscErrorCode HtZModel_GetUnits(const cJSON *model, const char *pressure_unit, HtZUnits *u);
/* Radius of a vessel estimated from its Poiseuille resistance and length: r = (8 mu l / (pi R))^(1/4). */
PetscErrorCode HtZModel_VesselRadius(const cJSON *model, const HtZUnits *u, const char *vessel, PetscReal *radius_cm);

/* Operators (each errors with PETSC_ERR_USER_INPUT naming the vessel/block when it does not exist).
 * Stent / angioplasty: stenosis_coefficient x (1 - success); radius restored by 1 + success (radius_factor - 1)
 *   (R x f^-4, L x f^-2, C x f^3); radius_factor = 1 only removes the stenosis loss. */
PetscErrorCode HtZModel_Stent(cJSON *model, const char *vessel, PetscReal success, PetscReal radius_factor);
/* Coarctation resection with end-to-end anastomosis: the vessel becomes a healthy tube with the per-length
 * R, L, C of reference_vessel over (its length - removed_length_cm), stenosis loss 0. */
PetscErrorCode HtZModel_Resection(cJSON *model, const char *vessel, const char *reference_vessel, PetscReal removed_length_cm);
/* Band (or re-coarctation): radius x factor (0,1]: R x f^-4, L x f^-2, C x f^3, plus the Young-Tsai
 * stenosis loss K = 1.52 rho / (2 A0^2) (1/f^2 - 1)^2 added to the stenosis coefficient. */
PetscErrorCode HtZModel_Band(cJSON *model, const HtZUnits *u, const char *vessel, PetscReal radius_factor);
/* Bypass graft "name": a new BloodVessel (Poiseuille R, inertance, Olufsen wall compliance of a tube of
 * radius_cm, length_cm) from the outlet node of from_vessel to the outlet node of to_vessel (junctions are
 * created or extended; a BloodVesselJunction that gets a second inlet becomes a NORMAL_JUNCTION). */
PetscErrorCode HtZModel_Bypass(cJSON *model, const HtZUnits *u, const char *name, const char *from_vessel, const char *to_vessel, PetscReal radius_cm, PetscReal length_cm);
/* Systemic-to-pulmonary (or any) shunt of diameter_mm: a graft like Bypass; to_vessel = NULL ends it in a
 * new RESISTANCE boundary condition "<name>_sink" (R_sink in model units, P_sink_mmHg; in a plan the key
 * is sink_resistance_mmHg_s_mL). */
PetscErrorCode HtZModel_Shunt(cJSON *model, const HtZUnits *u, const char *name, const char *from_vessel, const char *to_vessel, PetscReal diameter_mm, PetscReal length_cm, PetscReal R_sink, PetscReal P_sink_mmHg);
/* Valve change: the resistance of a valve x resistance_factor (orifice area factor a: factor 1/a^2).
 * block: a ValveTanh block (Rmin) or the ClosedLoopHeartAndPulmonary block ("CLH"), valve one of
 * aortic (Rlv_ao), mitral (Rla_v), pulmonary (Rrv_a), tricuspid (Rra_v). */
PetscErrorCode HtZModel_Valve(cJSON *model, const char *block, const char *valve, PetscReal resistance_factor);
/* Occlusion / ligation / tear cover (closing a connection): the vessel is removed, then everything left
 * without an inflow (vessels, junctions, boundary conditions) is removed; error when a vessel would be
 * left without an outlet. */
PetscErrorCode HtZModel_Occlude(cJSON *model, const char *vessel);
/* Aneurysm exclusion by an endograft of graft_radius_cm: Poiseuille tube of that radius, Olufsen C x
 * compliance_factor (a stiff graft: 0.1-0.3), stenosis loss 0. */
PetscErrorCode HtZModel_ExcludeAneurysm(cJSON *model, const HtZUnits *u, const char *vessel, PetscReal graft_radius_cm, PetscReal compliance_factor);
/* One operator from its plan JSON object {"type": "...", ...}; success_scale multiplies the degree of
 * procedural success (sampling). path names the object in messages (e.g. "candidates[2].operations[0]"). */
PetscErrorCode HtZModel_ApplyOperation(cJSON *model, const HtZUnits *u, const cJSON *op, PetscReal success_scale, const char *path);

/* ---- measurements, metrics, calibration ----------------------------------------------------------- */
#define HT_ZPLAN_MAX_SITES 32
typedef struct {
  char name[32];        /* "arm", "leg", "proximal", ...             */
  char vessel[64];      /* model vessel                               */
  PetscBool outlet;     /* PETSC_TRUE: the vessel's outlet end        */
} HtZSite;
typedef struct {
  HtZUnits  units;
  PetscInt  nsites;
  HtZSite   site[HT_ZPLAN_MAX_SITES];
  char      lesion_proximal[32], lesion_distal[32]; /* site names across the lesion ("" = none)   */
  char      arm[32], leg[32];                        /* sites for the arm-leg systolic difference */
  PetscInt  npulmonary;
  char      pulmonary[8][64];                        /* outlet BC names of the pulmonary bed      */
} HtZMetricSpec;
/* Solve a model (comm: every rank solves redundantly; PETSC_COMM_SELF in sampling) and compute the
 * metrics: inlet_pressure_{systolic,diastolic,mean}_mmHg, inlet_pulse_pressure_mmHg, cardiac_output_L_min,
 * flow_split_percent_<bc>, outlet_pressure_mean_mmHg_<bc>; per site pressure_{systolic,diastolic,mean}_mmHg_<site>;
 * with a lesion: gradient_peak_to_peak_mmHg, gradient_mean_mmHg, gradient_peak_instantaneous_mmHg, ffr_ratio;
 * arm_leg_systolic_difference_mmHg; qp_qs_ratio; power_loss_mW; with a heart: lv_stroke_work_mJ,
 * lv_ejection_fraction_percent. res->model keeps a copy of the model; waveforms of the sites in res. */
PetscErrorCode HtZPlan_Evaluate(MPI_Comm comm, const cJSON *model, const HtZMetricSpec *spec, const char *name, HtCandidateResult *res);
/* Site waveforms: res->p_in_mmHg holds nsites x nt site pressures (mmHg), res->q_out_mL_s nsites x nt site
 * flows (mL/s), res->q_in_mL_s the total inflow (nt), res->t_s the times of the last cycle. */

typedef struct {
  char      what[64];       /* "mean_pressure_mmHg", "cardiac_output_L_min", "flow_split_percent_RCR_1", ... */
  PetscReal target, achieved, residual_percent;
} HtZCalibTarget;
typedef struct {
  /* targets (<= 0 / NAN = not given) */
  char      site[32];                 /* where the cuff pressures apply ("" = model inlet)        */
  PetscReal systolic_mmHg, diastolic_mmHg, mean_mmHg;
  PetscReal cardiac_output_L_min;     /* or cardiac_index_L_min_m2 x body_surface_area_m2        */
  PetscInt  nsplits;
  char      split_bc[16][64];
  PetscReal split_percent[16];
  PetscReal tolerance_percent;        /* every residual within this or PETSC_ERR_NOT_CONVERGED (2) */
  PetscInt  max_iterations;           /* (15)                                                    */
  PetscBool keep_time_constant;       /* C_k x R_k constant while R_k changes (true)             */
  /* results */
  PetscInt       ntargets;
  HtZCalibTarget t[24];
  PetscInt       iterations;
  PetscReal      total_resistance_before, total_resistance_after; /* parallel sum of outlet R (model units) */
} HtZCalibration;
PetscErrorCode HtZCalibration_Default(HtZCalibration *c);
/* Tune the outlet RCR/RESISTANCE boundary conditions (total R per outlet keeping Rp/Rd; compliance for the
 * pulse pressure) and, for a FLOW inlet, the inflow scale for the cardiac output. Edits model in place. */
PetscErrorCode HtZPlan_Calibrate(MPI_Comm comm, cJSON *model, const HtZMetricSpec *spec, HtZCalibration *c);
/* Parallel sum 1/(sum 1/R_k) of the outlet resistances (Rp + Rd for RCR) of an open-loop model. */
PetscErrorCode HtZModel_TotalOutletResistance(const cJSON *model, PetscReal *R_total);

/* ---- the whole plan ---------------------------------------------------------------------------------- */
/* Entry point of `hemotwin plan PLAN.json --out DIR [-plan_samples N] [PETSc options]`: reads the plan
 * (strict: an unknown key is an error naming its JSON path), calibrates, evaluates every candidate, scores
 * under uncertainty (paired samples spread over the ranks of PETSC_COMM_WORLD) and writes DIR/report.json,
 * DIR/report.html, DIR/calibrated_baseline.json and DIR/candidates/<name>.json. Returns an exit code.
 * Call after PetscInitialize. */
int HtPlan_Main(int argc, char **argv);
/* The same as a function: plan file -> output directory (collective on comm). */
PetscErrorCode HtPlan_RunFile(MPI_Comm comm, const char *plan_path, const char *out_dir);

#ifdef __cplusplus
}
#endif
