/* Planning: per-candidate time series on the network for ParaView, written with meshing's VTK writers
 * (inline binary, one polyline per segment) per frame, and a .pvd collection.
 * Point values between the 0D vessels' ends are linear in arc length (the 0D model has no interior). */
#include <htplan.h>
#include <htvtkio.h>
#include <stdio.h>

#define HT_VTK_MAX_FRAMES 50

/* pressure and flow at arc length s of segment g, frame it */
static void Sample(const HtCandidateResult *res, PetscInt g, PetscReal s, PetscInt it, PetscReal *p, PetscReal *q)
{
  const HtModelMap *m = &res->map;
  PetscInt          v = m->seg_first[g], last = m->seg_first[g] + m->seg_count[g] - 1;
  while (v < last && m->vessels[v].s1_mm < s) v++;
  PetscReal a = m->vessels[v].s0_mm, b = m->vessels[v].s1_mm, t = b > a ? (s - a) / (b - a) : 0;
  t  = PetscMax(0.0, PetscMin(1.0, t));
  *p = (1 - t) * res->p_in_mmHg[v * res->nt + it] + t * res->p_out_mmHg[v * res->nt + it];
  *q = (1 - t) * res->q_in_mL_s[v * res->nt + it] + t * res->q_out_mL_s[v * res->nt + it];
}

static PetscErrorCode WriteResultsSelf(const char *dir, const char *cand_name, const HtNetwork *net, const HtCandidateResult *res)
{
  char        sub[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  char      **rel;
  PetscReal  *times, *p, *q;
  PetscInt    nfr, step, np = HtVTK_NetworkPointCount(net);
  HtVTKArray  arrays[2];

  PetscFunctionBeginUser;
  PetscCall(HtPath_Join(sub, sizeof(sub), dir, cand_name));
  PetscCall(HtPath_MakeDir(sub));
  /* the last sample closes the cycle (same state as the first): frames from 0 .. nt-2 */
  nfr  = PetscMin(res->nt - 1, HT_VTK_MAX_FRAMES);
  step = (res->nt - 1) / nfr;
  nfr  = (res->nt - 1 + step - 1) / step;
  PetscCall(PetscMalloc4(nfr, &rel, nfr, &times, np, &p, np, &q));
  arrays[0] = (HtVTKArray){"pressure_mmHg", 1, p};
  arrays[1] = (HtVTKArray){"flow_mL_s", 1, q};
  for (PetscInt fr = 0; fr < nfr; fr++) {
    PetscInt it = fr * step, k = 0;
    for (PetscInt g = 0; g < net->nsegs; g++)
      for (PetscInt i = 0; i < net->segs[g].npts; i++, k++) Sample(res, g, net->segs[g].s[i], it, &p[k], &q[k]);
    PetscCall(PetscMalloc1(PETSC_MAX_PATH_LEN, &rel[fr]));
    PetscCall(PetscSNPrintf(rel[fr], PETSC_MAX_PATH_LEN, "%s/network_%04" PetscInt_FMT ".vtp", cand_name, fr));
    PetscCall(HtPath_Join(path, sizeof(path), dir, rel[fr]));
    /* radius_mm, segment_id and segment_kind (1 = graft) come with the network writer */
    PetscCall(HtVTK_WriteNetwork(path, net, 2, arrays));
    times[fr] = res->t_s[it] - res->t_s[0];
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.pvd", dir, cand_name));
  PetscCall(HtVTK_WritePVD(path, nfr, (const char *const *)rel, times));
  for (PetscInt fr = 0; fr < nfr; fr++) PetscCall(PetscFree(rel[fr]));
  PetscCall(PetscFree4(rel, times, p, q));
  PetscFunctionReturn(0);
}

/* Rank 0 writes; every rank returns the same error code once the files are in place (collective). */
PetscErrorCode HtPlan_WriteResultsVTK(const char *dir, const char *cand_name, const HtNetwork *net, const HtCandidateResult *res)
{
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  int            code;

  PetscFunctionBeginUser;
  PetscCheck(res->nt >= 2 && res->map.nsegs == net->nsegs, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "candidate %s: result does not match the network (%" PetscInt_FMT " vs %" PetscInt_FMT " segments) or was not solved", cand_name, res->map.nsegs, net->nsegs);
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) ierr = WriteResultsSelf(dir, cand_name, net, res);
  code = (int)ierr;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, PETSC_COMM_WORLD));
  if (!rank) PetscCall(ierr);
  PetscCheck(!code, PETSC_COMM_SELF, (PetscErrorCode)code, "%s/%s.pvd: writing the results failed on rank 0", dir, cand_name);
  PetscFunctionReturn(0);
}
