/* hemotwin 1D engine: nonlinear pulse-wave propagation in networks of elastic vessels.
 *
 * Equations (per vessel, unknowns cross-section area A [m^2] and flow Q [m^3/s], SI units throughout):
 *   dA/dt + dQ/dx = 0
 *   dQ/dt + d(Q^2/A)/dx + (A/rho) dp/dx = -2 (zeta + 2) pi (mu/rho) Q/A
 *   p = p_ext + beta (sqrt(A) - sqrt(A0)) / A0,   beta = (4/3) sqrt(pi) E h0   (Poisson ratio 1/2)
 * (openBF writes the same law as p = p_ext + b (sqrt(A/A0) - 1) with b = beta / sqrt(A0).)
 * zeta is the velocity-profile exponent (openBF "gamma_profile": 2 = Poiseuille, 9 = flatter).
 * Tapering: R0 varies linearly from Rp (inlet) to Rd (outlet); the x-derivatives of A0 and beta enter
 * as source terms.
 *
 * Scheme: MUSCL-Hancock finite volumes (second order, minmod-limited slopes, Rusanov interface flux on
 * the predicted states), CFL-controlled global time step. Junctions of any degree: Newton on
 * mass conservation + static (or total) pressure continuity + outgoing Riemann invariants.
 * Inlet: prescribed periodic flow waveform (linear interpolation). Outlets: reflection coefficient,
 * resistance, three-element RCR Windkessel (R1 - (C || R2) to p_out).
 *
 * Parallelism: the network is a PETSc DMNetwork (edges = vessels, vertices = nodes); vessels are
 * partitioned over the ranks of comm, each rank advances the vessels it owns, the vessel end states are
 * exchanged every step and every rank solves the (small) junction systems identically, so results do
 * not depend on the number of ranks (to round-off).
 *
 * Typical use:
 *   HtOneD od;
 *   HtOneD_Create(PETSC_COMM_WORLD, &od);
 *   HtOneD_LoadFile(od, "case.yaml");         (openBF YAML; or .in: svOneDSolver, cgs converted to SI)
 *   HtOneD_SetFromOptions(od);                (options prefix "oned_")
 *   HtOneD_SetUp(od);
 *   HtOneD_Solve(od);                         (runs to periodic state)
 *   HtOneD_GetProbe(od, "parent", 0.5, &nt, &t, &p, &q, &a);
 *   HtOneD_WriteResults(od, "outdir");
 *   HtOneD_Destroy(&od);
 */
#pragma once
#include <petscsys.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _p_HtOneD *HtOneD;

typedef enum {
  HT_ONED_END_JUNCTION   = 0, /* outlet node is shared with other vessels (set automatically) */
  HT_ONED_END_REFLECTION = 1, /* reflection coefficient Rt (0 = non-reflecting) */
  HT_ONED_END_RESISTANCE = 2, /* p - p_out = R1 Q */
  HT_ONED_END_WK3        = 3, /* R1 + (C || R2) to p_out */
  HT_ONED_END_PRESSURE   = 4  /* prescribed pressure p_out */
} HtOneDEndType;

typedef enum {
  HT_ONED_LAW_ELASTIC = 0, /* p = p_ext + beta (sqrt(A) - sqrt(A0)) / A0 (both solvers) */
  HT_ONED_LAW_OLUFSEN = 1  /* p = p_ext + (4/3) K (1 - sqrt(A0/A)), K = k1 exp(k2 r0) + k3 (steady solver only) */
} HtOneDTubeLaw;

/* One vessel as given by the user (SI units). Node ids are arbitrary non-negative integers;
 * the inlet node (the one node that is the source of a vessel and the target of none) receives
 * the inflow waveform. */
typedef struct {
  char          label[64];
  PetscInt      sn, tn;        /* source / target node ids */
  PetscReal     L_m;           /* length */
  PetscReal     Rp_m, Rd_m;    /* zero-transmural-pressure lumen radius at inlet / outlet */
  PetscReal     E_Pa;          /* Young's modulus */
  PetscReal     h0_m;          /* wall thickness; <= 0: empirical h0(R0) (as openBF) */
  PetscReal     Pext_Pa;       /* external pressure */
  PetscReal     gamma_profile; /* velocity-profile exponent zeta (default 9) */
  PetscInt      ncells;        /* finite volumes; <= 0: from the length (about 1 mm, at least 5) */
  HtOneDEndType outlet;        /* for vessels whose tn is a terminal node */
  PetscReal     Rt;            /* reflection coefficient */
  PetscReal     R1_Pa_s_m3, R2_Pa_s_m3, C_m3_Pa; /* resistance / Windkessel */
  PetscReal     Pout_Pa;       /* downstream (venous) pressure of resistance / Windkessel, or the prescribed outlet pressure */
  HtOneDTubeLaw law;           /* default elastic */
  PetscReal     k1_Pa, k2_1_m, k3_Pa; /* Olufsen stiffness parameters */
  PetscReal     alpha;         /* momentum-flux coefficient in the steady solver (<= 0: 1; svOneDSolver: 1 + 1/(1 + zeta));
                                  the transient scheme uses 1 (as openBF) */
  PetscBool     stenosis;      /* steady solver: the vessel is a stenosis whose pressure drop is the lumped
                                  Young-Tsai loss (svOneDSolver STENOSIS: Kt = 1.52, Kv = 32 La/D0 (S0/S1)^2,
                                  La = 0.83 L + 1.64 D1, S0 = upstream vessel area) instead of friction */
} HtOneDVessel;

PetscErrorCode HtOneD_Create(MPI_Comm comm, HtOneD *od);
/* Fill a vessel with defaults (gamma 9, h0 empirical, outlet junction, everything else 0). */
PetscErrorCode HtOneD_VesselDefaults(HtOneDVessel *v);

/* ---- model input ---------------------------------------------------------------------------- */
/* openBF YAML config (blood, solver, network, inlet_file resolved relative to the YAML). */
PetscErrorCode HtOneD_LoadOpenBF(HtOneD od, const char *yaml_path);
/* svOneDSolver .in file (NODE/SEGMENT/DATATABLE/SOLVEROPTIONS/MATERIAL, cgs converted to SI). */
PetscErrorCode HtOneD_LoadSvOneD(HtOneD od, const char *in_path);
/* Dispatch on the extension (.yaml/.yml -> openBF, .in -> svOneDSolver). */
PetscErrorCode HtOneD_LoadFile(HtOneD od, const char *path);

/* Programmatic model (e.g. the pipeline's network): blood, vessels, inflow, run control. */
PetscErrorCode HtOneD_SetBlood(HtOneD od, PetscReal rho_kg_m3, PetscReal mu_Pa_s);
PetscErrorCode HtOneD_AddVessel(HtOneD od, const HtOneDVessel *v);
/* Periodic inflow Q(t) at the inlet node; period = last time (t[0] must be 0). Copied. */
PetscErrorCode HtOneD_SetInletFlow(HtOneD od, PetscInt n, const PetscReal t_s[], const PetscReal q_m3_s[]);
/* Prescribe the inlet pressure instead of the flow (constant, or periodic samples like SetInletFlow). */
PetscErrorCode HtOneD_SetInletPressure(HtOneD od, PetscInt n, const PetscReal t_s[], const PetscReal p_Pa[]);
/* CFL number (default 0.9), maximum cycles (default 30), periodicity tolerance: RMS change of the
 * pressure between consecutive cycles over all probe sites (default 1 mmHg = 133.3 Pa). */
PetscErrorCode HtOneD_SetRunControl(HtOneD od, PetscReal cfl, PetscInt max_cycles, PetscReal tol_Pa);

/* Options (prefix "oned_"): -oned_cfl, -oned_max_cycles, -oned_min_cycles, -oned_tol_mmHg,
 * -oned_cells_per_m (default 1000, vessels without M), -oned_cell_scale (multiplies the configs' M, default 1),
 * -oned_smooth_inflow (periodic cubic instead of linear inflow interpolation), -oned_total_pressure (junction continuity of total pressure),
 * -oned_vtk_frames (frames of the last cycle in network.pvd, default 50). */
PetscErrorCode HtOneD_SetFromOptions(HtOneD od);
/* Validates the model (radii, lengths, moduli > 0, known outlets, connected tree of vessels with one
 * inlet) and builds/distributes the DMNetwork. Errors name the vessel or node. */
PetscErrorCode HtOneD_SetUp(HtOneD od);
/* Run until periodic (or max cycles). Blow-up (A <= 0 or NaN) -> PETSC_ERR_NOT_CONVERGED naming the
 * vessel, position and time. */
PetscErrorCode HtOneD_Solve(HtOneD od);

/* Steady state for time-independent boundary data (the inflow/inlet pressure at t = 0): steady
 * mass and momentum along each vessel integrated exactly (RK4 in x), junction pressures by Newton.
 * Trees only; supports both tube laws and resistance/RCR/pressure outlets (RCR acts as R1 + R2).
 * Afterwards GetProbe returns constant series. */
PetscErrorCode HtOneD_SolveSteady(HtOneD od);

/* ---- results (last cycle; valid until Destroy; identical on all ranks) ----------------------- */
PetscErrorCode HtOneD_GetNumVessels(HtOneD od, PetscInt *n);
PetscErrorCode HtOneD_GetVesselLabel(HtOneD od, PetscInt i, const char **label);
/* Time series over the last cycle at fraction frac in {0, 0.25, 0.5, 0.75, 1} of the vessel length:
 * t from the start of the cycle [s], p [Pa], q [m^3/s], a [m^2]. Any output may be NULL. */
PetscErrorCode HtOneD_GetProbe(HtOneD od, const char *label, PetscReal frac, PetscInt *nt, const PetscReal **t, const PetscReal **p_Pa, const PetscReal **q_m3_s, const PetscReal **a_m2);
/* Cycles run, period, RMS pressure change between the last two cycles [Pa]. */
PetscErrorCode HtOneD_GetCycleInfo(HtOneD od, PetscInt *ncycles, PetscReal *period_s, PetscReal *dp_rms_Pa);
/* DIR/<vessel>_P.csv, _Q.csv, _A.csv (t, inlet, 1/4, 1/2, 3/4, outlet; SI) and DIR/network.pvd +
 * DIR/network_<k>.vtp (ASCII VTK XML polylines with pressure_Pa, pressure_mmHg, flow_m3_s, area_m2,
 * velocity_m_s). Rank 0 writes; collective. */
PetscErrorCode HtOneD_WriteResults(HtOneD od, const char *dir);
PetscErrorCode HtOneD_Destroy(HtOneD *od);

/* Entry point of `hemotwin 1d CONFIG --out DIR [PETSc options]`; returns a process exit code.
 * Call after PetscInitialize. */
int HtOneD_Main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
