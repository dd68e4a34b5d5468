/* hemotwin 1D engine: internal data structures (not part of the public API). */
#pragma once
#include "htoned.h"
#include <petscdmnetwork.h>
#include <htcore.h>

#define HT_ONED_NPROBE 5 /* inlet, 1/4, 1/2, 3/4, outlet */

/* One vessel: user parameters + geometry per cell + (on its owner rank) the state. */
typedef struct {
  HtOneDVessel par;
  PetscInt     M;       /* cells */
  PetscReal    dx;
  PetscReal   *A0, *G;  /* per cell: reference area, stiffness G = beta/A0 (p = Pext + G (sqrt A - sqrt A0)) */
  PetscReal   *dG, *dsA0; /* per cell: dG/dx, d sqrt(A0)/dx (tapering source) */
  PetscReal   *sA0;     /* per cell: sqrt(A0) */
  PetscBool    tapered; /* A0 or G vary along the vessel */
  PetscReal   *Gf;      /* per face (M+1): stiffness at the cell faces (fluxes) */
  PetscReal    A0b[2], Gb[2]; /* at x = 0 and x = L */
  PetscReal    Zc;      /* characteristic impedance at the outlet, rho c0 / A0 */
  PetscInt     node[2]; /* compact node indices of source / target */
  PetscBool    owned;   /* advanced by this rank */
  PetscInt     xoff;    /* offset of the (A,Q) cell pairs in the local state array */
  /* boundary-extrapolated predicted states at the ends (A, Q) and solved boundary states */
  PetscReal    Ub[2][2];
  /* Windkessel capacitor pressure (terminal vessels) */
  PetscReal    Pc;
  /* probe series over the current and previous cycle: [site][sample] */
  PetscReal   *pr_P[HT_ONED_NPROBE], *pr_Q[HT_ONED_NPROBE], *pr_A[HT_ONED_NPROBE];
  PetscReal   *prev_P[HT_ONED_NPROBE];
  PetscReal   *fr_A, *fr_Q; /* frames of the current cycle: [frame][cell] */
} HtOneDVesselData;

typedef struct {
  PetscInt  id;     /* user node id */
  PetscInt  nends;  /* vessel ends meeting here */
  PetscInt *vessel; /* vessel index of each end */
  PetscInt *side;   /* 0 = vessel inlet at this node, 1 = vessel outlet */
} HtOneDNode;

struct _p_HtOneD {
  MPI_Comm          comm;
  PetscMPIInt       rank, size;
  char              source[PETSC_MAX_PATH_LEN];
  PetscReal         rho, mu;
  PetscInt          nv, nvalloc;
  HtOneDVesselData *v;
  PetscInt          nin;
  PetscReal        *tin, *qin;
  PetscReal         T;
  PetscReal         cfl, tol_Pa, cells_per_m, cell_scale;
  PetscInt          max_cycles, min_cycles, nframes, nsamp;
  PetscBool         total_pressure, smooth_inflow;
  PetscBool         inlet_pressure; /* tin/qin hold the inlet pressure [Pa] instead of the flow */
  PetscBool         setup, solved;
  /* topology */
  PetscInt          nnodes;
  HtOneDNode       *nodes;
  PetscInt          inlet_node;
  /* DMNetwork and state */
  DM                dm;
  Vec               X;    /* local state vector (A,Q per cell of owned vessels) */
  PetscReal        *work; /* scratch per vessel (largest M) */
  PetscInt          maxM;
  /* results */
  PetscInt          ncycles;
  PetscReal         dp_rms;
  PetscReal        *tsamp;
  PetscReal         time;
  long long         nsteps;
};

/* tube law helpers */
static inline PetscReal HtOneD_Pressure(PetscReal A, PetscReal A0, PetscReal G, PetscReal Pext) { return Pext + G * (PetscSqrtReal(A) - PetscSqrtReal(A0)); }
/* wave speed c = sqrt(A/rho dp/dA) = sqrt(G sqrt(A) / (2 rho)) */
static inline PetscReal HtOneD_WaveSpeed(PetscReal A, PetscReal G, PetscReal rho) { return PetscSqrtReal(G * PetscSqrtReal(A) / (2.0 * rho)); }

PetscErrorCode HtOneD_Inflow(HtOneD od, PetscReal t, PetscReal *q);
