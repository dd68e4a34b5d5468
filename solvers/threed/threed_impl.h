/* Private parts of the 3D engine. */
#pragma once
#include <htthreed.h>
#include <htcore.h>
#include <petscdmplex.h>
#include <petscds.h>
#include <petscts.h>
#include <petscsnes.h>
#include <stdio.h>

#define HT3_MAX_OUTLETS 32
#define HT3_MAX_GROUPS  (HT3_MAX_OUTLETS + 16)
#define HT3_WOM_MAXH    24 /* Womersley harmonics kept (incl. the mean) */

/* PetscDS constants layout */
enum { HT3_C_RHO = 0, HT3_C_MU, HT3_C_STEADY, HT3_C_DT, HT3_C_SUPG, HT3_C_BETA, HT3_C_LSIC, HT3_C_CI, HT3_C_OUTLET0 = 8, HT3_C_N = 8 + HT3_MAX_OUTLETS };

typedef void (*HtThreeDBdFn)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);

struct _p_HtThreeD {
  MPI_Comm     comm;
  PetscMPIInt  rank, size;
  HtThreeDCase c;
  char         case_path[PETSC_MAX_PATH_LEN];
  char         outdir[PETSC_MAX_PATH_LEN];
  PetscInt     vel_order, qorder, refine;
  PetscBool    supg, lsic;
  PetscReal    tau_ci;
  PetscBool    is_setup;
  /* mesh groups read from the .msh $PhysicalNames (2D groups) */
  PetscInt     ngroups;
  char         gname[HT3_MAX_GROUPS][64];
  PetscInt     gid[HT3_MAX_GROUPS];
  PetscInt     inlet_id, wall_id[8], outlet_id[HT3_MAX_OUTLETS];
  DM           dm;
  Vec          u, locAux;
  TS           ts;
  SNES         snes;
  /* inlet profile: centre, outward normal, radius (cm), discrete-flux scale */
  PetscReal    in_c[3], in_n[3], in_R, in_area, in_scale;
  PetscBool    unit_mode;
  PetscInt     wom_nh;
  PetscReal    wom_T, wom_re[HT3_WOM_MAXH], wom_im[HT3_WOM_MAXH], wom_scale;
  PetscReal    t;
  PetscInt     step;
  PetscScalar  consts[HT3_C_N];
  PetscReal    Pc[HT3_MAX_OUTLETS]; /* RCR capacitor pressure, dyn/cm^2 */
  FILE        *csv;
  PetscInt     nacc;
  PetscInt     ckpt_interval;
  char         restart[PETSC_MAX_PATH_LEN];
  PetscReal   *acc, acc_T; /* per local wall face: coords, int wss dt, int |wss| dt */
  PetscErrorCode (*mon)(HtThreeD, PetscInt, PetscReal, void *);
  void        *monctx;
  PetscInt     nframes, maxframes;
  PetscReal   *frame_t;
};

/* physics (threed_physics.c) */
void         HtThreeD_f0_u(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void         HtThreeD_f1_u(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void         HtThreeD_f0_p(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void         HtThreeD_f1_p(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
#define HT3_JAC_ARGS PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]
void         HtThreeD_g0_uu(HT3_JAC_ARGS);
void         HtThreeD_g1_uu(HT3_JAC_ARGS);
void         HtThreeD_g2_uu(HT3_JAC_ARGS);
void         HtThreeD_g3_uu(HT3_JAC_ARGS);
void         HtThreeD_g2_up(HT3_JAC_ARGS);
void         HtThreeD_g3_up(HT3_JAC_ARGS);
void         HtThreeD_g1_pu(HT3_JAC_ARGS);
void         HtThreeD_g2_pu(HT3_JAC_ARGS);
void         HtThreeD_g3_pu(HT3_JAC_ARGS);
void         HtThreeD_g3_pp(HT3_JAC_ARGS);
void         HtThreeD_g0_outlet(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
HtThreeDBdFn HtThreeD_OutletResidual(PetscInt k);

/* inlet waveform (mL/s) and its time derivative at t */
PetscReal HtThreeD_InletFlow(const HtThreeD td, PetscReal t);
PetscReal HtThreeD_InletFlowRate(const HtThreeD td, PetscReal t);

/* Womersley inlet (threed_womersley.c) */
PetscErrorCode HtThreeD_WomersleySetUp(HtThreeD td);
void           HtThreeD_WomersleyEval(const HtThreeD td, PetscReal r, PetscReal t, PetscReal *u, PetscReal *dudt);

/* output (threed_output.c) */
PetscErrorCode HtThreeD_LocalSolution(HtThreeD td, Vec *loc); /* with boundary values at td->t; restore with DMRestoreLocalVector */
PetscErrorCode HtThreeD_WriteFrame(HtThreeD td);
PetscErrorCode HtThreeD_WritePVD(HtThreeD td);
PetscErrorCode HtThreeD_CSVOpen(HtThreeD td);
PetscErrorCode HtThreeD_AccumulateWSS(HtThreeD td, PetscReal dt);
PetscErrorCode HtThreeD_WriteTAWSS(HtThreeD td);
PetscErrorCode HtThreeD_CSVRow(HtThreeD td);
