/* Planning: per-candidate time series on the network for ParaView: ASCII VTK XML PolyData (one polyline
 * per segment) per frame, and a .pvd collection. ASCII (not appended) so ParaView 5.11 reads it.
 * Point values between the 0D vessels' ends are linear in arc length (the 0D model has no interior). */
#include <htplan.h>
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

static PetscErrorCode WriteFrame(const char *path, const HtNetwork *net, const HtCandidateResult *res, PetscInt it)
{
  FILE    *f = fopen(path, "w");
  PetscInt np = 0;
  int      e  = 0;

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open for writing", path);
  for (PetscInt g = 0; g < net->nsegs; g++) np += net->segs[g].npts;
  fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"PolyData\" version=\"0.1\" byte_order=\"LittleEndian\">\n<PolyData>\n");
  fprintf(f, "<Piece NumberOfPoints=\"%" PetscInt_FMT "\" NumberOfVerts=\"0\" NumberOfLines=\"%" PetscInt_FMT "\" NumberOfStrips=\"0\" NumberOfPolys=\"0\">\n", np, net->nsegs);
  fprintf(f, "<PointData Scalars=\"pressure_mmHg\">\n<DataArray type=\"Float64\" Name=\"pressure_mmHg\" format=\"ascii\">\n");
  for (PetscInt g = 0; g < net->nsegs; g++)
    for (PetscInt i = 0; i < net->segs[g].npts; i++) {
      PetscReal p, q;
      Sample(res, g, net->segs[g].s[i], it, &p, &q);
      fprintf(f, "%.6g\n", (double)p);
    }
  fprintf(f, "</DataArray>\n<DataArray type=\"Float64\" Name=\"flow_mL_s\" format=\"ascii\">\n");
  for (PetscInt g = 0; g < net->nsegs; g++)
    for (PetscInt i = 0; i < net->segs[g].npts; i++) {
      PetscReal p, q;
      Sample(res, g, net->segs[g].s[i], it, &p, &q);
      fprintf(f, "%.6g\n", (double)q);
    }
  fprintf(f, "</DataArray>\n<DataArray type=\"Float64\" Name=\"radius_mm\" format=\"ascii\">\n");
  for (PetscInt g = 0; g < net->nsegs; g++)
    for (PetscInt i = 0; i < net->segs[g].npts; i++) fprintf(f, "%.6g\n", (double)net->segs[g].r[i]);
  fprintf(f, "</DataArray>\n</PointData>\n<CellData>\n<DataArray type=\"Int32\" Name=\"graft\" format=\"ascii\">\n");
  for (PetscInt g = 0; g < net->nsegs; g++) fprintf(f, "%d\n", net->segs[g].kind == 1 ? 1 : 0);
  fprintf(f, "</DataArray>\n<DataArray type=\"Int32\" Name=\"segment_id\" format=\"ascii\">\n");
  for (PetscInt g = 0; g < net->nsegs; g++) fprintf(f, "%d\n", (int)g);
  fprintf(f, "</DataArray>\n</CellData>\n<Points>\n<DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">\n");
  for (PetscInt g = 0; g < net->nsegs; g++)
    for (PetscInt i = 0; i < net->segs[g].npts; i++) fprintf(f, "%.9g %.9g %.9g\n", (double)net->segs[g].x[3 * i], (double)net->segs[g].x[3 * i + 1], (double)net->segs[g].x[3 * i + 2]);
  fprintf(f, "</DataArray>\n</Points>\n<Lines>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n");
  {
    PetscInt off = 0;
    for (PetscInt g = 0; g < net->nsegs; g++) {
      for (PetscInt i = 0; i < net->segs[g].npts; i++) fprintf(f, "%" PetscInt_FMT "%c", off + i, i + 1 < net->segs[g].npts ? ' ' : '\n');
      off += net->segs[g].npts;
    }
    fprintf(f, "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n");
    off = 0;
    for (PetscInt g = 0; g < net->nsegs; g++) {
      off += net->segs[g].npts;
      fprintf(f, "%" PetscInt_FMT "\n", off);
    }
  }
  fprintf(f, "</DataArray>\n</Lines>\n</Piece>\n</PolyData>\n</VTKFile>\n");
  e = ferror(f);
  e |= fclose(f);
  PetscCheck(!e, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", path);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteResultsSelf(const char *dir, const char *cand_name, const HtNetwork *net, const HtCandidateResult *res)
{
  char     sub[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], rel[PETSC_MAX_PATH_LEN];
  PetscInt nfr, step;
  FILE    *f;
  int      e;

  PetscFunctionBeginUser;
  PetscCall(HtPath_Join(sub, sizeof(sub), dir, cand_name));
  PetscCall(HtPath_MakeDir(sub));
  /* the last sample closes the cycle (same state as the first): frames from 0 .. nt-2 */
  nfr  = PetscMin(res->nt - 1, HT_VTK_MAX_FRAMES);
  step = (res->nt - 1) / nfr;
  nfr  = (res->nt - 1 + step - 1) / step;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.pvd", dir, cand_name));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  f = fopen(tmp, "w");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open for writing", tmp);
  fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n<Collection>\n");
  for (PetscInt fr = 0; fr < nfr; fr++) {
    PetscInt it = fr * step;
    PetscCall(PetscSNPrintf(rel, sizeof(rel), "%s/network_%04" PetscInt_FMT ".vtp", cand_name, fr));
    PetscCall(HtPath_Join(path, sizeof(path), dir, rel));
    PetscCall(WriteFrame(path, net, res, it));
    fprintf(f, "<DataSet timestep=\"%.6g\" group=\"\" part=\"0\" file=\"%s\"/>\n", (double)(res->t_s[it] - res->t_s[0]), rel);
  }
  fprintf(f, "</Collection>\n</VTKFile>\n");
  e = ferror(f);
  e |= fclose(f);
  if (e) {
    remove(tmp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", tmp);
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.pvd", dir, cand_name));
  PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot rename the temporary file into place", path);
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
