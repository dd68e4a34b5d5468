/* hemotwin 3D engine: incompressible Navier-Stokes (Newtonian, rigid walls) on PETSc DMPlex + PetscFE.
 *
 * Discretisation: P1/P1 velocity-pressure with PSPG/SUPG stabilisation by default (cheap element
 * assembly in PetscFE, equal-order pressure fits the Gmsh tets of the pipeline); Taylor-Hood P2/P1 with
 * -threed_vel_order 2 (no stabilisation then). Time: PETSc TS (BDF/backward Euler/theta by options,
 * -threed_ts_type bdf -threed_ts_bdf_order 2 default), Newton with the exact PetscFE Jacobian; steady
 * runs use PETSc SNES on the same weak form. Every solver choice can be overridden with -threed_* options.
 *
 * Units inside: cgs (cm, g/cm^3, Poise, dyn/cm^2, mL/s). Meshes from the pipeline are in mm
 * ("mesh_units": "mm", default) and are scaled to cm on load.
 *
 * Case JSON (hemotwin 3d CASE.json --out DIR):
 * {
 *   "mesh": "pipe.msh",            Gmsh .msh (relative paths are relative to the case file) with 2D physical
 *                                   groups named "inlet", "outlet_k", "wall" and a 3D group "fluid"
 *   "mesh_units": "mm" | "cm",      default "mm"
 *   "rho_g_cm3": 1.06, "mu_P": 0.04,
 *   "inlet": { "name": "inlet", "profile": "parabolic" | "plug" | "womersley",
 *              (womersley: rigid-tube Womersley shape per Fourier harmonic of the periodic waveform)
 *              "flow_mL_s": 5.0                            (constant)
 *              or "t_s": [...], "Q_mL_s": [...]            (periodic waveform, period = last t - first t,
 *                                                           linear interpolation) },
 *   "walls": ["wall"],              default ["wall"]
 *   "outlets": [ { "name": "outlet_1", "type": "traction", "P_mmHg": 0 },
 *                { "name": "outlet_2", "type": "resistance", "R_mmHg_s_mL": 1.0, "Pd_mmHg": 0 },
 *                { "name": "outlet_3", "type": "rcr", "Rp_mmHg_s_mL": .., "C_mL_mmHg": .., "Rd_mmHg_s_mL": ..,
 *                  "Pd_mmHg": 0, "P0_mmHg": 0 } ],   resistances may instead be given in cgs: "R_dyn_s_cm5"...
 *   "backflow_beta": 0.2,           Esmaily-Moghadam et al. 2011 outlet term coefficient (outlets only)
 *   "steady": false,                true: one nonlinear steady solve (inlet flow at t = 0)
 *   "dt_s": 0.001, "steps": 1000, "output_interval": 10
 * }
 * Outputs in the output folder: solution.pvd -> solution_NNNNNN.vtu (velocity_cm_s, pressure_mmHg,
 * ASCII), wall.pvd -> wall_NNNNNN.vtp (wall_shear_stress_dyn_cm2 per wall triangle), wall_tawss.vtp
 * (TAWSS_dyn_cm2 and OSI over the last cycle of an unsteady run: the last waveform period, or the whole
 * run for a constant inflow), flows.csv (per step: t_s, inlet and outlet flow mL/s and mean pressure
 * mmHg), checkpoint.h5 with -threed_checkpoint_interval n (resume with -threed_restart FILE, same mesh
 * and rank count). Data are gathered and written by rank 0 only.
 * A diverging run raises PETSC_ERR_NOT_CONVERGED naming step, time and the residual history, and the
 * diverged state is never written.
 */
#pragma once
#include <petscsys.h>
#include <petscdm.h>
#include <petscvec.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HT_THREED_MAX_BC 64

typedef enum { HT_OUTLET_TRACTION = 0, HT_OUTLET_RESISTANCE, HT_OUTLET_RCR } HtOutletType;
typedef enum { HT_PROFILE_PARABOLIC = 0, HT_PROFILE_PLUG, HT_PROFILE_WOMERSLEY } HtInletProfile;

typedef struct {
  char         name[64];   /* physical group name in the .msh file */
  HtOutletType type;
  PetscReal    P_dyn_cm2;  /* traction: imposed pressure                           */
  PetscReal    R_cgs;      /* resistance: dyn s / cm^5                             */
  PetscReal    Rp_cgs, C_cgs, Rd_cgs; /* RCR: dyn s/cm^5, cm^5/dyn, dyn s/cm^5  */
  PetscReal    Pd_dyn_cm2; /* distal pressure (resistance, RCR)                   */
  PetscReal    P0_dyn_cm2; /* RCR: initial capacitor pressure                     */
} HtThreeDOutlet;

/* Everything a case file holds, in cgs. Filled by HtThreeD_LoadCase or directly by a caller. */
typedef struct {
  char           mesh[PETSC_MAX_PATH_LEN];
  PetscReal      mesh_to_cm;          /* 0.1 for mm meshes, 1 for cm meshes                 */
  PetscReal      rho_g_cm3, mu_P;
  char           inlet[64];
  HtInletProfile profile;
  PetscInt       nwave;               /* 1: constant flow Q_mL_s[0]                          */
  PetscReal     *wave_t_s, *wave_Q_mL_s; /* nwave points (owned by the HtThreeD)            */
  PetscInt       nwalls;
  char           walls[8][64];
  PetscInt       noutlets;
  HtThreeDOutlet outlets[HT_THREED_MAX_BC];
  PetscReal      backflow_beta;
  PetscBool      steady;
  PetscReal      dt_s;
  PetscInt       steps, output_interval;
} HtThreeDCase;

typedef struct _p_HtThreeD *HtThreeD;

PetscErrorCode HtThreeD_Create(MPI_Comm comm, HtThreeD *td);
/* Read a case JSON (see above); errors name the file and the key. */
PetscErrorCode HtThreeD_LoadCase(HtThreeD td, const char *json_path);
/* Access the case to set it programmatically (before SetUp). Waveform arrays: use HtThreeD_SetInletWaveform. */
PetscErrorCode HtThreeD_GetCase(HtThreeD td, HtThreeDCase **c);
PetscErrorCode HtThreeD_SetInletWaveform(HtThreeD td, PetscInt n, const PetscReal t_s[], const PetscReal Q_mL_s[]);
/* Output folder (created); NULL or "" = no files. */
PetscErrorCode HtThreeD_SetOutputDir(HtThreeD td, const char *dir);
/* Options: -threed_vel_order 1|2, -threed_supg <1>, -threed_lsic <1>, -threed_tau_ci <36>,
 * -threed_qorder n, -threed_dm_refine n (uniform refinement after load), -threed_backflow_beta b,
 * -threed_checkpoint_interval n, -threed_restart FILE, and the PETSc objects' -threed_ts_*, -threed_snes_*,
 * -threed_ksp_*, -threed_pc_* (default GMRES + MUMPS LU; time stepping BDF2 with a Jacobian reused over
 * 10 Newton iterations). */
PetscErrorCode HtThreeD_SetFromOptions(HtThreeD td);
/* Read and distribute the mesh, build the discretisation and boundary conditions. */
PetscErrorCode HtThreeD_SetUp(HtThreeD td);
/* Steady solve or time integration of the case; writes outputs when an output folder is set. */
PetscErrorCode HtThreeD_Solve(HtThreeD td);
/* Flow (mL/s, positive = leaving the domain through the face group) and area-mean pressure (dyn/cm^2)
 * through a named face group for the current solution. Collective. */
PetscErrorCode HtThreeD_BoundaryFlow(HtThreeD td, const char *group, PetscReal *Q_mL_s, PetscReal *Pmean_dyn_cm2, PetscReal *area_cm2);
/* Area-mean wall shear stress vector over the wall groups (dyn/cm^2; traction of the fluid on the wall,
 * tangential part, from the velocity gradient of the wall cells' vertex values). Collective. */
PetscErrorCode HtThreeD_WallShearStress(HtThreeD td, PetscReal wss_mean_dyn_cm2[3], PetscReal *area_cm2);
/* Volume-mean pressure gradient (dyn/cm^3) over the cells whose centroid lies in the box [lo, hi] (cm). */
PetscErrorCode HtThreeD_MeanPressureGradient(HtThreeD td, const PetscReal lo[3], const PetscReal hi[3], PetscReal grad_dyn_cm3[3], PetscReal *vol_cm3);
/* Optional per-step callback after each accepted time step (t in s); e.g. to sample the solution. */
PetscErrorCode HtThreeD_SetStepMonitor(HtThreeD td, PetscErrorCode (*mon)(HtThreeD td, PetscInt step, PetscReal t_s, void *ctx), void *ctx);
/* Current solution (fields 0 velocity cm/s, 1 pressure dyn/cm^2) and its DM; borrowed references. */
PetscErrorCode HtThreeD_GetSolution(HtThreeD td, DM *dm, Vec *u);
/* L2 norms over the fluid of (u_h - u_exact) and u_exact for a velocity field given pointwise
 * (x in cm). Collective. */
PetscErrorCode HtThreeD_VelocityL2Error(HtThreeD td, void (*exact)(const PetscReal x[3], PetscReal u[3], void *ctx), void *ctx, PetscReal *err_L2, PetscReal *norm_L2);
/* Initial velocity (x in cm -> u in cm/s) projected onto the discrete space, pressure 0; after SetUp. */
PetscErrorCode HtThreeD_SetInitialVelocity(HtThreeD td, void (*u0)(const PetscReal x[3], PetscReal u[3], void *ctx), void *ctx);
/* Rigid-tube Womersley axial velocity u(r, t) (cm/s) for the flow Q(t) = Qre[0] + sum_{n=1}^{nh-1}
 * Re((Qre[n] + i Qim[n]) e^{i 2 pi n t / T}) (mL/s) in a tube of radius R_cm, kinematic viscosity nu. */
PetscErrorCode HtThreeD_WomersleyVelocity(PetscInt nh, const PetscReal Qre[], const PetscReal Qim[], PetscReal T_s, PetscReal R_cm, PetscReal nu_cm2_s, PetscReal r_cm, PetscReal t_s, PetscReal *u_cm_s);
/* Number of cells (tets) of the distributed mesh, summed over ranks. */
PetscErrorCode HtThreeD_GetNumCells(HtThreeD td, PetscInt *ncells);
PetscErrorCode HtThreeD_Destroy(HtThreeD *td);

/* CLI: hemotwin 3d CASE.json --out DIR [PETSc options]. Returns the process exit code. */
int HtThreeD_Main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
