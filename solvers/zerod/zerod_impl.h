/* hemotwin 0D engine internals (not a public header).
 *
 * The model is the DAE  r(y, ydot, t) = E ydot + F y + c(y, ydot, t) = 0  assembled from blocks.
 * Every connection between two blocks is a node carrying two unknowns "flow:A:B" and
 * "pressure:A:B"; blocks may add internal unknowns ("pressure_c:OUT"). A block's local variable list
 * is (P, Q) of each inlet node, then (P, Q) of each outlet node, then its internal variables, the
 * layout svZeroDSolver uses, so block equations read the same as its documentation.
 * Each block type lives in its own file (equations in the top comment) and is listed in
 * zerod_registry.c. Blocks add their residual rows and both Jacobians (d r/d y, d r/d ydot) with
 * HtZD_Add into sparse arrays on the pattern of the entries blocks add (found once at SetUp), which KLU
 * factorises (zerod_solve.c). */
#pragma once
#include <htzerod.h>
#include <petscsnes.h>
#include <petscts.h>

#define HTZD_MAXNAME 256

typedef enum { HTZD_VESSEL, HTZD_JUNCTION, HTZD_BC, HTZD_VALVE, HTZD_CHAMBER, HTZD_CLOSEDLOOP } HtZDClass;

/* A parameter: constant or a periodic piecewise-linear function of time. */
typedef struct {
  PetscBool  constant;
  PetscReal  value;   /* constant value (or steady mean while converted) */
  PetscInt   n;       /* number of samples when time dependent */
  PetscReal *t, *v;
  PetscReal  period;  /* t[n-1] - t[0] */
  PetscBool  nonperiodic; /* external coupling inputs with "periodic": false: no wrap-around */
  PetscBool  steady_converted;
  PetscBool  zeroed;  /* RCR capacitance set to 0 during the steady initial solve */
  PetscReal  saved;
} HtZDParam;

typedef struct _HtZDBlock HtZDBlock;

/* Residual/Jacobian accumulation target. Jy, Jyd: values on the block sparsity pattern (CSR ptr/col,
 * columns sorted in each row; every block couples its equations with all of its variables). */
typedef struct {
  PetscInt        n;
  const PetscInt *ptr, *col;
  PetscReal      *r, *Jy, *Jyd;
  PetscBool      *mark; /* pattern discovery: entries added (NULL while solving) */
  PetscReal  time;   /* model time of the evaluation (t_n + alpha_f dt inside a step) */
  PetscBool *zero_after; /* variables a block asks to reset to 0 after each Newton solve (closed heart valves) */
  PetscReal  period; /* cardiac cycle period */
} HtZDSys;

typedef struct {
  const char *type_name; /* JSON name: "BloodVessel", "RCR", ... */
  HtZDClass   cls;
  PetscInt    ninternal;
  const char *internal[12];
  /* Read parameters from the JSON values object (may be NULL) */
  PetscErrorCode (*setup)(HtZeroD, HtZDBlock *, const cJSON *values);
  /* Check node counts and set neq once the connections are known */
  PetscErrorCode (*finalize)(HtZeroD, HtZDBlock *);
  /* Add r, d r/d y, d r/d ydot (pv: current parameter values by global id) */
  void (*eval)(const HtZDBlock *, const PetscReal *pv, const PetscReal *y, const PetscReal *yd, HtZDSys *);
  /* Optional: resolve references to other blocks once every block has its variables */
  PetscErrorCode (*link)(HtZeroD, HtZDBlock *);
  /* Optional: parameters that depend on the initial state (after the steady start); pv as then */
  void (*init)(HtZDBlock *, const PetscReal *pv, const PetscReal *y, const PetscReal *yd);
} HtZDBlockType;

struct _HtZDBlock {
  char                *name;
  const HtZDBlockType *type;
  PetscInt             nin, nout, *in, *out; /* node indices */
  PetscInt             nvar, *var;           /* global variable ids, local layout above */
  PetscInt             neq, *eq;             /* global equation ids */
  PetscInt             nparam, *param;       /* global parameter ids */
  const char         **pname;                /* JSON key of each parameter (static strings of the block files) */
  PetscInt             nlist;                /* list-valued blocks (BloodVesselJunction): values per parameter */
  PetscBool            steady;               /* steady assembly (initial condition solve) */
  PetscInt             vessel_type;          /* 0 none, 1 inlet, 2 outlet (cycle-to-cycle caps) */
  PetscInt             act_type;             /* chambers: activation function (see block_chamber.c) */
  PetscReal            act[8];               /* chambers: activation parameters */
  PetscBool            closed_loop_inlet;    /* drains into the heart (J_heart_inlet) */
  PetscInt             aux[4];               /* links to other blocks' variables/parameters */
};

typedef struct {
  char    *name; /* "A:B" */
  PetscInt up, down; /* block indices */
  PetscInt flow_dof, pres_dof;
} HtZDNode;

typedef struct {
  PetscInt  num_cycles, pts_per_cycle, num_time_steps;
  PetscReal abs_tol;
  PetscInt  max_nliter;
  PetscBool steady_initial;
  PetscReal rho_infty;
  PetscBool output_variable_based, output_mean_only, output_derivative, output_all_cycles;
  PetscInt  output_interval;
  PetscReal cardiac_period; /* from simulation_parameters, <= 0 when absent */
  PetscBool use_cycle_error;
  PetscReal cycle_error;    /* fraction */
} HtZDSimParams;

struct _p_HtZeroD {
  MPI_Comm      comm;
  char          source[PETSC_MAX_PATH_LEN];
  PetscBool     loaded, setup, solved;
  HtZDSimParams sp;
  /* model */
  PetscInt   nblocks, mblocks;
  HtZDBlock *blocks;
  PetscInt   nnodes, mnodes;
  HtZDNode  *nodes;
  PetscInt   nparams, mparams;
  HtZDParam *params;
  PetscReal *pv;          /* parameter values at the current evaluation time */
  PetscInt   n;           /* number of unknowns */
  PetscInt   neq;
  char     **varnames;    /* n names */
  PetscInt  *eq_block;    /* block owning each equation */
  PetscReal  model_period; /* from time-dependent parameters, < 0 if none */
  PetscBool  reading_nonperiodic; /* set while reading a non-periodic coupling block */
  PetscReal  period;
  PetscBool  has_windkessel;
  PetscReal  largest_tau;
  PetscReal *y0, *yd0;    /* initial condition */
  /* solver */
  char       ts_type[64]; /* "alpha_sv" (default) or a PETSc TS type */
  PetscReal  rho_option;  /* -zerod_ts_alpha_radius, < 0 if not given */
  SNES       snes;
  Mat        J;
  PetscInt  *pat_ptr, *pat_col; /* Jacobian sparsity (CSR) */
  PetscReal *pat_val;
  char       lu_type[32];   /* MatSolverType of the Newton linear solves (PETSc TS path) */
  /* alpha_sv Newton: KLU (SuiteSparse) on the pattern, symbolic analysis once, refactorisation with the
   * previous pivot order while it stays well conditioned */
  void      *klu_common, *klu_symbolic, *klu_numeric;
  PetscReal *Jval, *xk, *dx;
  PetscReal  rcond_full;    /* reciprocal pivot ratio of the last full factorisation */
  /* profile of the last Solve (alpha_sv) */
  PetscLogDouble prof_assembly, prof_factor, prof_solve;
  PetscInt   prof_newton, prof_full, prof_refactor, prof_steps;
  Vec        x, f;
  HtZDSys    sys;
  /* current generalized-alpha step */
  PetscReal  am, af, gam, dt, tstep;
  PetscReal  rfloor;      /* rounding-noise level of the last residual */
  PetscBool  rfloor_on;
  PetscReal *yold, *ydold, *yaf, *ydam;
  PetscReal *ycorr;       /* post-solve resets of y_{n+1} accumulated in the current step */
  /* results */
  PetscInt   nout, mout;
  PetscReal *out_t, *out_y, *out_yd;
  PetscInt   ncycles_run;
  PetscReal *ring;        /* states (y only) of the last two cycles, for cycle-to-cycle errors */
  PetscInt   nring;
  TS         ts;
  PetscInt   ts_step_start_last, ts_interval;
  PetscInt   ts_last_mon; /* last step seen by the TS monitor (a continued TSSolve reports it again) */
  PetscReal  ts_shift;    /* last IJacobian shift (rounding floor of the TS residual) */
  PetscReal  cycle_change;
  PetscBool  warm_on;          /* HtZeroD_SetWarmStart */
  PetscReal  warm_tol;
  PetscReal *ywarm, *ydwarm;   /* final state of the last alpha_sv solve */
  /* arrays handed out by Get* (freed at Destroy) */
  PetscInt   ncache, mcache;
  PetscReal **cache;
};

/* registry */
const HtZDBlockType *HtZD_FindType(const char *name);
/* parameters */
PetscErrorCode HtZD_AddParamConst(HtZeroD, PetscReal, PetscInt *);
PetscErrorCode HtZD_ReadParam(HtZeroD, HtZDBlock *, const cJSON *values, const char *key, PetscBool optional, PetscReal def);
PetscErrorCode HtZD_ReadParamList(HtZeroD, HtZDBlock *, const cJSON *values, const char *key, PetscInt count);
PetscErrorCode HtZD_CheckKeys(HtZeroD, HtZDBlock *, const cJSON *values, const char *const *allowed);
PetscReal      HtZD_ParamGet(const HtZDParam *, PetscReal time);
void           HtZD_UpdateTime(HtZeroD, PetscReal time);
void           HtZD_ToSteady(HtZeroD);
void           HtZD_ToUnsteady(HtZeroD);
PetscErrorCode HtZD_ParamsDestroy(HtZeroD);
/* assembly */
void           HtZD_Assemble(HtZeroD, const PetscReal *y, const PetscReal *yd);
PetscErrorCode HtZD_KluDestroy(HtZeroD);
PetscErrorCode HtZD_CycleCount(HtZeroD);
void           HtZD_LargestTau(HtZeroD);
/* helpers for blocks */
/* Add v at (row, col) of Jy or Jyd; rows hold a handful of entries, a linear search is the fastest lookup.
 * Entries outside the pattern (other blocks' variables) are not part of the Newton matrix. */
static inline void HtZD_Add(HtZDSys *s, PetscReal *M, PetscInt row, PetscInt col, PetscReal v)
{
  for (PetscInt k = s->ptr[row]; k < s->ptr[row + 1]; k++)
    if (s->col[k] == col) {
      M[k] += v;
      if (s->mark) s->mark[k] = PETSC_TRUE;
      return;
    }
}
static inline PetscReal HtZD_Sign(PetscReal x) { return (PetscReal)((0.0 < x) - (x < 0.0)); }
