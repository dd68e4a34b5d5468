/* hemotwin 1D engine: result files (per-vessel CSV, ParaView time series) and `hemotwin 1d`. */
#include "oned_impl.h"
#include <stdio.h>

/* Write with fopen on a temporary name and rename, so a failed run never leaves a half file. */
static PetscErrorCode WriteCSV(HtOneD od, HtOneDVesselData *v, const char *dir, const char *field, PetscReal **series)
{
  char  path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  FILE *f;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/%s_%s.csv", dir, v->par.label, field));
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s.tmp", path));
  f = fopen(tmp, "w");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", tmp);
  fprintf(f, "t_s,inlet,quarter,mid,three_quarter,outlet\n");
  for (PetscInt k = 0; k < od->nsamp; k++) {
    fprintf(f, "%.9g", (double)od->tsamp[k]);
    for (PetscInt s = 0; s < HT_ONED_NPROBE; s++) fprintf(f, ",%.12g", (double)series[s][k]);
    fprintf(f, "\n");
  }
  if (fclose(f) || rename(tmp, path)) {
    remove(tmp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", path);
  }
  PetscFunctionReturn(0);
}

/* schematic planar layout of the tree for ParaView: children fan out from their parent's end */
static PetscErrorCode Layout(HtOneD od, PetscReal (*xy)[2], PetscReal *ang)
{
  PetscBool *seen;
  PetscInt  *queue, qh = 0, qt = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(od->nnodes, &seen));
  PetscCall(PetscMalloc1(od->nnodes, &queue));
  xy[od->inlet_node][0] = xy[od->inlet_node][1] = 0;
  ang[od->inlet_node]                            = -0.5 * PETSC_PI;
  seen[od->inlet_node]                           = PETSC_TRUE;
  queue[qt++]                                    = od->inlet_node;
  while (qh < qt) {
    HtOneDNode *nd = &od->nodes[queue[qh++]];
    PetscInt    nout = 0, j = 0;
    for (PetscInt e = 0; e < nd->nends; e++) nout += nd->side[e] == 0;
    for (PetscInt e = 0; e < nd->nends; e++) {
      HtOneDVesselData *v = &od->v[nd->vessel[e]];
      PetscInt          o = v->node[1];
      PetscReal         a;
      if (nd->side[e] != 0) continue;
      a = ang[nd - od->nodes] + (j++ - 0.5 * (nout - 1)) * (PETSC_PI / 5);
      if (!seen[o]) {
        seen[o]     = PETSC_TRUE;
        ang[o]      = a;
        xy[o][0]    = xy[nd - od->nodes][0] + v->par.L_m * PetscCosReal(a);
        xy[o][1]    = xy[nd - od->nodes][1] + v->par.L_m * PetscSinReal(a);
        queue[qt++] = o;
      }
    }
  }
  PetscCall(PetscFree(seen));
  PetscCall(PetscFree(queue));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteVTK(HtOneD od, const char *dir)
{
  PetscReal(*xy)[2], *ang;
  char     path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  PetscInt npts = 0;
  FILE    *pvd;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(od->nnodes, &xy, od->nnodes, &ang));
  PetscCall(Layout(od, xy, ang));
  for (PetscInt i = 0; i < od->nv; i++) npts += od->v[i].M;
  for (PetscInt fr = 0; fr < od->nframes; fr++) {
    FILE       *f;
    const char *names[5] = {"pressure_Pa", "pressure_mmHg", "flow_m3_s", "area_m2", "velocity_m_s"};
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/network_%03" PetscInt_FMT ".vtp", dir, fr));
    PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s.tmp", path));
    f = fopen(tmp, "w");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", tmp);
    fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"PolyData\" version=\"0.1\" byte_order=\"LittleEndian\">\n<PolyData>\n");
    fprintf(f, "<Piece NumberOfPoints=\"%" PetscInt_FMT "\" NumberOfVerts=\"0\" NumberOfLines=\"%" PetscInt_FMT "\" NumberOfStrips=\"0\" NumberOfPolys=\"0\">\n", npts, od->nv);
    fprintf(f, "<Points>\n<DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">\n");
    for (PetscInt i = 0; i < od->nv; i++) {
      HtOneDVesselData *v = &od->v[i];
      PetscInt          a = v->node[0], b = v->node[1];
      for (PetscInt c = 0; c < v->M; c++) {
        PetscReal w = (c + 0.5) / v->M;
        fprintf(f, "%.6g %.6g 0\n", (double)((1 - w) * xy[a][0] + w * xy[b][0]), (double)((1 - w) * xy[a][1] + w * xy[b][1]));
      }
    }
    fprintf(f, "</DataArray>\n</Points>\n<PointData Scalars=\"pressure_mmHg\">\n");
    for (PetscInt q = 0; q < 5; q++) {
      fprintf(f, "<DataArray type=\"Float64\" Name=\"%s\" format=\"ascii\">\n", names[q]);
      for (PetscInt i = 0; i < od->nv; i++) {
        HtOneDVesselData *v = &od->v[i];
        for (PetscInt c = 0; c < v->M; c++) {
          PetscReal A = v->fr_A[fr * v->M + c], Q = v->fr_Q[fr * v->M + c], p = HtOneD_Pressure(A, v->A0[c], v->G[c], v->par.Pext_Pa), val;
          val = q == 0 ? p : q == 1 ? p / HT_MMHG_TO_PA : q == 2 ? Q : q == 3 ? A : Q / A;
          fprintf(f, "%.9g\n", (double)val);
        }
      }
      fprintf(f, "</DataArray>\n");
    }
    fprintf(f, "</PointData>\n<CellData>\n<DataArray type=\"Int32\" Name=\"vessel_id\" format=\"ascii\">\n");
    for (PetscInt i = 0; i < od->nv; i++) fprintf(f, "%d\n", (int)i);
    fprintf(f, "</DataArray>\n</CellData>\n<Lines>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n");
    {
      PetscInt off = 0;
      for (PetscInt i = 0; i < od->nv; i++) {
        for (PetscInt c = 0; c < od->v[i].M; c++) fprintf(f, "%" PetscInt_FMT "\n", off + c);
        off += od->v[i].M;
      }
      fprintf(f, "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n");
      off = 0;
      for (PetscInt i = 0; i < od->nv; i++) {
        off += od->v[i].M;
        fprintf(f, "%" PetscInt_FMT "\n", off);
      }
    }
    fprintf(f, "</DataArray>\n</Lines>\n</Piece>\n</PolyData>\n</VTKFile>\n");
    if (fclose(f) || rename(tmp, path)) {
      remove(tmp);
      PetscCall(PetscFree2(xy, ang));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", path);
    }
  }
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/network.pvd", dir));
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s.tmp", path));
  pvd = fopen(tmp, "w");
  PetscCheck(pvd, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", tmp);
  fprintf(pvd, "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n<Collection>\n");
  for (PetscInt fr = 0; fr < od->nframes; fr++) fprintf(pvd, "<DataSet timestep=\"%.9g\" group=\"\" part=\"0\" file=\"network_%03" PetscInt_FMT ".vtp\"/>\n", (double)(od->T * fr / od->nframes), fr);
  fprintf(pvd, "</Collection>\n</VTKFile>\n");
  if (fclose(pvd) || rename(tmp, path)) {
    remove(tmp);
    PetscCall(PetscFree2(xy, ang));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", path);
  }
  PetscCall(PetscFree2(xy, ang));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteAll(HtOneD od, const char *dir)
{
  PetscFunctionBeginUser;
  PetscCall(HtPath_MakeDir(dir));
  for (PetscInt i = 0; i < od->nv; i++) {
    HtOneDVesselData *v = &od->v[i];
    PetscCall(WriteCSV(od, v, dir, "P", v->pr_P));
    PetscCall(WriteCSV(od, v, dir, "Q", v->pr_Q));
    PetscCall(WriteCSV(od, v, dir, "A", v->pr_A));
  }
  PetscCall(WriteVTK(od, dir));
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_WriteResults(HtOneD od, const char *dir)
{
  PetscErrorCode ierr = 0;
  PetscMPIInt    code;

  PetscFunctionBeginUser;
  PetscCheck(od->solved, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: WriteResults called before Solve", od->source);
  /* rank 0 writes; every rank learns whether it worked */
  if (!od->rank) {
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = WriteAll(od, dir);
    PetscCall(PetscPopErrorHandler());
  }
  code = (PetscMPIInt)ierr;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, od->comm));
  if (!od->rank) PetscCall(ierr);
  PetscCheck(!code, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s: writing results to %s failed on rank 0", od->source, dir);
  PetscFunctionReturn(0);
}

static PetscErrorCode RunModel(HtOneD od, const char *config, const char *out)
{
  PetscInt  ncyc;
  PetscReal period, dp;
  double    t0 = HtTime_Now();

  PetscFunctionBeginUser;
  PetscCall(HtOneD_LoadFile(od, config));
  PetscCall(HtOneD_SetFromOptions(od));
  PetscCall(HtOneD_SetUp(od));
  HtLog_Info("1D model %s: %" PetscInt_FMT " vessels, %" PetscInt_FMT " nodes, %d rank(s)", config, od->nv, od->nnodes, (int)od->size);
  {
    PetscBool steady = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-oned_steady", &steady, NULL));
    if (steady) PetscCall(HtOneD_SolveSteady(od));
    else PetscCall(HtOneD_Solve(od));
  }
  PetscCall(HtOneD_WriteResults(od, out));
  PetscCall(HtOneD_GetCycleInfo(od, &ncyc, &period, &dp));
  HtLog_Info("1D model %s: %" PetscInt_FMT " cycles of %g s, RMS pressure change of the last cycle %.4g mmHg, %.2f s; wrote %s", config, ncyc, (double)period, (double)(dp / HT_MMHG_TO_PA), HtTime_Now() - t0, out);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(int argc, char **argv)
{
  const char    *config = NULL, *out = NULL;
  HtOneD         od;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(HtCli_InputAndOut(argc, argv, "1d", "hemotwin 1d CONFIG.yaml|CONFIG.in --out DIR", &config, &out));
  PetscCall(HtOneD_Create(PETSC_COMM_WORLD, &od));
  ierr = RunModel(od, config, out);
  PetscCall(HtOneD_Destroy(&od));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

int HtOneD_Main(int argc, char **argv) { return HtCli_Main("1d", Run, argc, argv); }
