/* hemotwin 0D engine: lumped-parameter models in svZeroDSolver's JSON format, integrated in time with
 * generalized-alpha (svZeroDSolver's variant, Newton with KLU) or any PETSc TS (-zerod_ts_type ...).
 *
 * Units are whatever the model uses (svZeroDSolver models are cgs: dyn/cm^2, mL/s, mL).
 * Variables are named as in svZeroDSolver: "flow:A:B", "pressure:A:B" for the connection between
 * blocks A and B, plus internal variables of some blocks.
 *
 * Typical use:
 *   HtZeroD zd;
 *   HtZeroD_Create(PETSC_COMM_WORLD, &zd);
 *   HtZeroD_LoadFile(zd, "model.json");          (or HtZeroD_LoadJSON(zd, cjson, "name"))
 *   HtZeroD_SetFromOptions(zd);                   (options prefix "zerod_")
 *   HtZeroD_SetUp(zd);
 *   HtZeroD_Solve(zd);
 *   HtZeroD_GetVesselResult(zd, "branch0_seg0", &nt, &t, &qin, &qout, &pin, &pout);
 *   HtZeroD_WriteCSV(zd, "result.csv");
 *   HtZeroD_Destroy(&zd);
 *
 * MPI: the model is tiny; every rank of comm solves the same model redundantly (identical results);
 * only rank 0 writes files.
 *
 * Supported (svZeroDSolver names): vessels BloodVessel (R_poiseuille, C, L, stenosis_coefficient; C = 0
 * or L = 0 give the RL/RC variants), BloodVesselCRL; junctions NORMAL_JUNCTION, resistive_junction,
 * BloodVesselJunction; boundary conditions FLOW, PRESSURE, RESISTANCE, RCR, CORONARY, CORONARY_VAR_RES, ClosedLoopRCR,
 * ClosedLoopCoronaryLeft/Right; closed_loop_blocks ClosedLoopHeartAndPulmonary; valves ValveTanh,
 * PiecewiseValve; chambers ChamberElastanceInductor, ChamberElastanceInductorExponential,
 * LinearElastanceChamber (activation_function half_cosine / piecewise_cosine / two_hill /
 * wrapping_cosine / fourier), ChamberSphere;
 * external_solver_coupling_blocks of type FLOW/PRESSURE. Any scalar parameter may be a periodic time
 * series ("values" + "t"). Unknown block types or parameters are errors naming the block.
 */
#pragma once
#include <petscsys.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _p_HtZeroD *HtZeroD;

PetscErrorCode HtZeroD_Create(MPI_Comm comm, HtZeroD *zd);
/* Parse an svZeroDSolver model (the cJSON tree is not kept); source_name is used in messages. */
PetscErrorCode HtZeroD_LoadJSON(HtZeroD zd, const cJSON *model, const char *source_name);
PetscErrorCode HtZeroD_LoadFile(HtZeroD zd, const char *path);
/* Options (prefix "zerod_"): -zerod_ts_type <alpha_sv|TS type> (default alpha_sv: svZeroDSolver's
 * generalized-alpha with its own Newton loop and KLU sparse LU), -zerod_ts_alpha_radius <rho_inf, default
 * 0.5>; with a PETSc TS type also -zerod_snes_*, -zerod_ksp_*. */
PetscErrorCode HtZeroD_SetFromOptions(HtZeroD zd);
PetscErrorCode HtZeroD_SetUp(HtZeroD zd);
/* Runs the simulation; Newton failure raises PETSC_ERR_NOT_CONVERGED naming the time and block.
 * May be called again (after HtZeroD_SetParameter): the model is not re-parsed, the sparsity analysis
 * and the LU pivot order are reused; earlier Get* arrays stay valid until Destroy. */
PetscErrorCode HtZeroD_Solve(HtZeroD zd);
/* Set a scalar parameter of a block by its JSON key (e.g. "OUT", "Rd"; "branch0_seg0", "R_poiseuille") to a
 * constant value (a time series becomes constant); list-valued junction parameters are refused.
 * Cheap repeated solves for outlet tuning / surgical candidates: SetParameter, Solve, Get*. */
PetscErrorCode HtZeroD_SetParameter(HtZeroD zd, const char *block, const char *param, PetscReal value);
/* Opt-in for repeated solves (default off, which keeps svZeroDSolver's results): the next Solve starts from
 * the final state of the previous one (no steady start) and runs whole cycles until the cycle means of flow
 * and pressure at the caps change by less than max_cycle_change (relative; at most number_of_cardiac_cycles
 * cycles); the output is the last cycle. Default integrator only. */
PetscErrorCode HtZeroD_SetWarmStart(HtZeroD zd, PetscBool on, PetscReal max_cycle_change);

/* Vessel-based result of the output cycle(s) (last cycle, or all cycles when output_all_cycles):
 * arrays valid until Destroy. Any output pointer may be NULL. */
PetscErrorCode HtZeroD_GetVesselResult(HtZeroD zd, const char *vessel_name, PetscInt *nt, const PetscReal **t, const PetscReal **q_in, const PetscReal **q_out, const PetscReal **p_in, const PetscReal **p_out);
/* One solution variable ("pressure:J0:branch1_seg0", "flow:INFLOW:branch0_seg0", ...) over the output cycle(s). */
PetscErrorCode HtZeroD_GetVariable(HtZeroD zd, const char *var_name, PetscInt *nt, const PetscReal **t, const PetscReal **y);
/* CSV layout chosen by simulation_parameters: vessel-based "name,time,flow_in,flow_out,pressure_in,pressure_out"
 * (+ d_ columns with output_derivative) or variable-based "name,time,y" (+ ydot). Written atomically (temp + rename). */
PetscErrorCode HtZeroD_WriteCSV(HtZeroD zd, const char *path);
/* Number of cardiac cycles simulated (including cycles added by use_cycle_to_cycle_error), the period,
 * and svZeroDSolver's cycle-to-cycle error: the largest relative change |m_last - m_prev| / |m_prev| of
 * the cycle means of flow and pressure at the vessel caps (inlet of inlet vessels, outlet of outlet
 * vessels) between the last two cycles. cycle_change is -1 when it is not available (fewer than two
 * cycles). Before Solve: the configured cycles, cycle_change -1. */
PetscErrorCode HtZeroD_GetCycleInfo(HtZeroD zd, PetscInt *ncycles, PetscReal *period, PetscReal *cycle_change);
PetscErrorCode HtZeroD_Destroy(HtZeroD *zd);

/* Entry point of `hemotwin 0d MODEL.json --out RESULT.csv [PETSc options]`; returns a process exit code.
 * Call after PetscInitialize. */
int HtZeroD_Main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
