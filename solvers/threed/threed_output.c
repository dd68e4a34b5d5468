/* Outputs of the 3D engine: VTU volume frames (ASCII, gathered on rank 0 so one file per frame whatever the
 * number of ranks), wall VTP with wall shear stress, PVD time series, per-step CSV of boundary flows.
 * Our own writer: the engine must not depend on meshing/vtkio, and ASCII is readable by ParaView 5.11. */
#include "threed_impl.h"
#include <math.h>
#include <string.h>

static PetscErrorCode FramePath(HtThreeD td, const char *stem, PetscInt frame, const char *ext, char *buf, size_t len)
{
  char name[128];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, sizeof name, "%s_%06" PetscInt_FMT ".%s", stem, frame, ext));
  PetscCall(HtPath_Join(buf, len, td->outdir, name));
  PetscFunctionReturn(0);
}

/* rank 0 gathers a variable amount of reals from every rank */
static PetscErrorCode GatherReals(MPI_Comm comm, PetscInt n, const PetscReal *loc, PetscInt *ntot, PetscReal **all)
{
  PetscMPIInt size, rank, nn = (PetscMPIInt)n, *cnt = NULL, *dsp = NULL;
  PetscInt    tot = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *all = NULL;
  if (!rank) PetscCall(PetscMalloc2(size, &cnt, size, &dsp));
  PetscCallMPI(MPI_Gather(&nn, 1, MPI_INT, cnt, 1, MPI_INT, 0, comm));
  if (!rank) {
    for (PetscMPIInt r = 0; r < size; r++) {
      dsp[r] = (PetscMPIInt)tot;
      tot += cnt[r];
    }
    PetscCall(PetscMalloc1(tot + 1, all));
  }
  PetscCallMPI(MPI_Gatherv(loc, nn, MPIU_REAL, *all, cnt, dsp, MPIU_REAL, 0, comm));
  if (!rank) PetscCall(PetscFree2(cnt, dsp));
  *ntot = tot;
  PetscFunctionReturn(0);
}

/* velocity gradient G[i][j] = du_i/dx_j of the P1 interpolant of the cell's vertex values */
static PetscErrorCode CellGradient(const PetscReal X[4][3], const PetscReal U[4][3], PetscReal G[3][3])
{
  PetscReal M[3][3], inv[3][3], det;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt j = 0; j < 3; j++) M[i][j] = X[i + 1][j] - X[0][j];
  det = M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  PetscCheck(det != 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "3d: degenerate tetrahedron in the wall shear stress computation");
  inv[0][0] = (M[1][1] * M[2][2] - M[1][2] * M[2][1]) / det;
  inv[0][1] = (M[0][2] * M[2][1] - M[0][1] * M[2][2]) / det;
  inv[0][2] = (M[0][1] * M[1][2] - M[0][2] * M[1][1]) / det;
  inv[1][0] = (M[1][2] * M[2][0] - M[1][0] * M[2][2]) / det;
  inv[1][1] = (M[0][0] * M[2][2] - M[0][2] * M[2][0]) / det;
  inv[1][2] = (M[0][2] * M[1][0] - M[0][0] * M[1][2]) / det;
  inv[2][0] = (M[1][0] * M[2][1] - M[1][1] * M[2][0]) / det;
  inv[2][1] = (M[0][1] * M[2][0] - M[0][0] * M[2][1]) / det;
  inv[2][2] = (M[0][0] * M[1][1] - M[0][1] * M[1][0]) / det;
  /* M g_i = du_i (differences along the 3 edges) -> g_i = inv du_i */
  for (PetscInt i = 0; i < 3; i++) {
    PetscReal du[3];
    for (PetscInt k = 0; k < 3; k++) du[k] = U[k + 1][i] - U[0][i];
    for (PetscInt j = 0; j < 3; j++) G[i][j] = inv[j][0] * du[0] + inv[j][1] * du[1] + inv[j][2] * du[2];
  }
  PetscFunctionReturn(0);
}

/* vertex coordinates/values of a point's closure vertices (up to 4) */
static PetscErrorCode ClosureVertices(DM dm, PetscInt p, PetscSection s, const PetscScalar *xa, PetscSection cs, const PetscScalar *ca, PetscInt *nv, PetscInt vtx[4], PetscReal X[4][3], PetscReal U[4][3], PetscReal P[4])
{
  PetscInt *cl = NULL, ncl, vStart, vEnd;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(DMPlexGetTransitiveClosure(dm, p, PETSC_TRUE, &ncl, &cl));
  *nv = 0;
  for (PetscInt j = 0; j < ncl; j++) {
    PetscInt q = cl[2 * j], off;
    if (q < vStart || q >= vEnd || *nv >= 4) continue;
    vtx[*nv] = q;
    PetscCall(PetscSectionGetOffset(cs, q, &off));
    for (PetscInt d = 0; d < 3; d++) X[*nv][d] = PetscRealPart(ca[off + d]);
    PetscCall(PetscSectionGetFieldOffset(s, q, 0, &off));
    for (PetscInt d = 0; d < 3; d++) U[*nv][d] = PetscRealPart(xa[off + d]);
    PetscCall(PetscSectionGetFieldOffset(s, q, 1, &off));
    P[*nv] = PetscRealPart(xa[off]);
    (*nv)++;
  }
  PetscCall(DMPlexRestoreTransitiveClosure(dm, p, PETSC_TRUE, &ncl, &cl));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteVolume(HtThreeD td, Vec loc, const char *path)
{
  DM                 dm = td->dm;
  IS                 vnum;
  const PetscInt    *vn;
  PetscSection       s, cs;
  Vec                coords;
  const PetscScalar *xa, *ca;
  PetscInt           vStart, vEnd, cStart, cEnd, nvl = 0, ncl, nvtot, nctot, nvg = 0, nvgl = 0;
  PetscReal         *vbuf, *cbuf, *vall = NULL, *call = NULL;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalSection(dm, &s));
  PetscCall(DMGetCoordinateSection(dm, &cs));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMPlexGetVertexNumbering(dm, &vnum));
  PetscCall(ISGetIndices(vnum, &vn));
  PetscCall(VecGetArrayRead(loc, &xa));
  PetscCall(VecGetArrayRead(coords, &ca));
  for (PetscInt v = 0; v < vEnd - vStart; v++) {
    if (vn[v] >= 0) nvl++;
    nvgl = PetscMax(nvgl, (vn[v] >= 0 ? vn[v] : -(vn[v] + 1)) + 1);
  }
  PetscCall(MPIU_Allreduce(&nvgl, &nvg, 1, MPIU_INT, MPI_MAX, td->comm));
  ncl = cEnd - cStart;
  PetscCall(PetscMalloc1(8 * nvl + 1, &vbuf));
  PetscCall(PetscMalloc1(4 * ncl + 1, &cbuf));
  for (PetscInt v = vStart, k = 0; v < vEnd; v++) {
    PetscInt off;
    if (vn[v - vStart] < 0) continue;
    vbuf[8 * k] = (PetscReal)vn[v - vStart];
    PetscCall(PetscSectionGetOffset(cs, v, &off));
    for (PetscInt d = 0; d < 3; d++) vbuf[8 * k + 1 + d] = PetscRealPart(ca[off + d]);
    PetscCall(PetscSectionGetFieldOffset(s, v, 0, &off));
    for (PetscInt d = 0; d < 3; d++) vbuf[8 * k + 4 + d] = PetscRealPart(xa[off + d]);
    PetscCall(PetscSectionGetFieldOffset(s, v, 1, &off));
    vbuf[8 * k + 7] = PetscRealPart(xa[off]);
    k++;
  }
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscInt  nv, vtx[4];
    PetscReal X[4][3], U[4][3], P[4], vol;
    PetscCall(ClosureVertices(dm, c, s, xa, cs, ca, &nv, vtx, X, U, P));
    PetscCheck(nv == 4, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: cell %" PetscInt_FMT " is not a tetrahedron", td->c.mesh, c);
    /* VTK tets need a positive orientation */
    vol = (X[1][0] - X[0][0]) * ((X[2][1] - X[0][1]) * (X[3][2] - X[0][2]) - (X[2][2] - X[0][2]) * (X[3][1] - X[0][1])) - (X[1][1] - X[0][1]) * ((X[2][0] - X[0][0]) * (X[3][2] - X[0][2]) - (X[2][2] - X[0][2]) * (X[3][0] - X[0][0])) +
          (X[1][2] - X[0][2]) * ((X[2][0] - X[0][0]) * (X[3][1] - X[0][1]) - (X[2][1] - X[0][1]) * (X[3][0] - X[0][0]));
    if (vol < 0) {
      PetscInt t = vtx[1];
      vtx[1]     = vtx[2];
      vtx[2]     = t;
    }
    for (PetscInt j = 0; j < 4; j++) {
      PetscInt g = vn[vtx[j] - vStart];
      cbuf[4 * (c - cStart) + j] = (PetscReal)(g >= 0 ? g : -(g + 1));
    }
  }
  PetscCall(VecRestoreArrayRead(coords, &ca));
  PetscCall(VecRestoreArrayRead(loc, &xa));
  PetscCall(ISRestoreIndices(vnum, &vn));
  PetscCall(GatherReals(td->comm, 8 * nvl, vbuf, &nvtot, &vall));
  PetscCall(GatherReals(td->comm, 4 * ncl, cbuf, &nctot, &call));
  PetscCall(PetscFree(vbuf));
  PetscCall(PetscFree(cbuf));
  if (!td->rank) {
    PetscReal *V;
    PetscInt   nc = nctot / 4;
    FILE      *f;
    int        bad = 0;
    PetscCall(PetscCalloc1(7 * nvg + 1, &V));
    for (PetscInt k = 0; k < nvtot / 8; k++) {
      PetscInt g = (PetscInt)vall[8 * k];
      for (PetscInt d = 0; d < 7; d++) V[7 * g + d] = vall[8 * k + 1 + d];
    }
    for (PetscInt i = 0; i < 7 * nvg; i++)
      if (!isfinite(V[i])) bad = 1;
    f = bad ? NULL : fopen(path, "w");
    if (f) {
      fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"UnstructuredGrid\" version=\"0.1\" byte_order=\"LittleEndian\">\n<UnstructuredGrid>\n");
      fprintf(f, "<Piece NumberOfPoints=\"%" PetscInt_FMT "\" NumberOfCells=\"%" PetscInt_FMT "\">\n<PointData Vectors=\"velocity_cm_s\" Scalars=\"pressure_mmHg\">\n", nvg, nc);
      fprintf(f, "<DataArray type=\"Float64\" Name=\"velocity_cm_s\" NumberOfComponents=\"3\" format=\"ascii\">\n");
      for (PetscInt v = 0; v < nvg; v++) fprintf(f, "%.9g %.9g %.9g\n", V[7 * v + 3], V[7 * v + 4], V[7 * v + 5]);
      fprintf(f, "</DataArray>\n<DataArray type=\"Float64\" Name=\"pressure_mmHg\" format=\"ascii\">\n");
      for (PetscInt v = 0; v < nvg; v++) fprintf(f, "%.9g\n", V[7 * v + 6] / HT_MMHG_TO_DYNCM2);
      fprintf(f, "</DataArray>\n</PointData>\n<Points>\n<DataArray type=\"Float64\" Name=\"coordinates_cm\" NumberOfComponents=\"3\" format=\"ascii\">\n");
      for (PetscInt v = 0; v < nvg; v++) fprintf(f, "%.10g %.10g %.10g\n", V[7 * v], V[7 * v + 1], V[7 * v + 2]);
      fprintf(f, "</DataArray>\n</Points>\n<Cells>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n");
      for (PetscInt c = 0; c < nc; c++) fprintf(f, "%" PetscInt_FMT " %" PetscInt_FMT " %" PetscInt_FMT " %" PetscInt_FMT "\n", (PetscInt)call[4 * c], (PetscInt)call[4 * c + 1], (PetscInt)call[4 * c + 2], (PetscInt)call[4 * c + 3]);
      fprintf(f, "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n");
      for (PetscInt c = 0; c < nc; c++) fprintf(f, "%" PetscInt_FMT "\n", 4 * (c + 1));
      fprintf(f, "</DataArray>\n<DataArray type=\"UInt8\" Name=\"types\" format=\"ascii\">\n");
      for (PetscInt c = 0; c < nc; c++) fprintf(f, "10\n");
      fprintf(f, "</DataArray>\n</Cells>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n");
      if (fclose(f)) f = NULL, bad = 2;
    } else if (!bad) bad = 2;
    PetscCall(PetscFree(V));
    PetscCall(PetscFree(vall));
    PetscCall(PetscFree(call));
    PetscCheck(bad != 1, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "file %s: solution is not finite, not written", path);
    PetscCheck(bad != 2, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", path);
  }
  PetscFunctionReturn(0);
}

/* per local wall face: 3 vertex coordinates (9) and the wall shear stress vector (3) */
static PetscErrorCode WallFaces(HtThreeD td, Vec loc, PetscInt *nout, PetscReal **bufout)
{
  DM                 dm = td->dm;
  DMLabel            label;
  PetscSection       s, cs;
  Vec                coords;
  const PetscScalar *xa, *ca;
  PetscInt           fStart, fEnd, nloc = 0, cap = 0;
  PetscReal         *buf = NULL;
  const PetscReal    mu = td->c.mu_P;

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(dm, "Face Sets", &label));
  PetscCall(DMGetLocalSection(dm, &s));
  PetscCall(DMGetCoordinateSection(dm, &cs));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(VecGetArrayRead(loc, &xa));
  PetscCall(VecGetArrayRead(coords, &ca));
  for (PetscInt w = 0; w < td->c.nwalls; w++) {
    IS              is;
    PetscInt        nf = 0;
    const PetscInt *faces;
    PetscCall(DMLabelGetStratumIS(label, td->wall_id[w], &is));
    if (!is) continue;
    PetscCall(ISGetLocalSize(is, &nf));
    PetscCall(ISGetIndices(is, &faces));
    PetscCall(PetscRealloc(sizeof(PetscReal) * (12 * (cap + nf) + 1), &buf));
    cap += nf;
    for (PetscInt i = 0; i < nf; i++) {
      PetscInt        f = faces[i], ns, nv, vtx[4];
      const PetscInt *supp;
      PetscReal       X[4][3], U[4][3], P[4], FX[4][3], FU[4][3], FP[4], G[3][3], a, fc[3], fn[3], cc[3], vol, dot = 0, tr[3], tn = 0;
      if (f < fStart || f >= fEnd) continue;
      PetscCall(DMPlexGetSupportSize(dm, f, &ns));
      if (ns != 1) continue;
      PetscCall(DMPlexGetSupport(dm, f, &supp));
      PetscCall(DMPlexComputeCellGeometryFVM(dm, f, &a, fc, fn));
      PetscCall(DMPlexComputeCellGeometryFVM(dm, supp[0], &vol, cc, NULL));
      for (PetscInt d = 0; d < 3; d++) dot += fn[d] * (fc[d] - cc[d]);
      if (dot < 0)
        for (PetscInt d = 0; d < 3; d++) fn[d] = -fn[d];
      PetscCall(ClosureVertices(dm, supp[0], s, xa, cs, ca, &nv, vtx, X, U, P));
      PetscCall(CellGradient(X, U, G));
      /* wall shear stress = tangential part of the traction the fluid exerts on the wall, -mu (G + G^T) n */
      for (PetscInt r = 0; r < 3; r++) {
        tr[r] = 0;
        for (PetscInt c = 0; c < 3; c++) tr[r] -= mu * (G[r][c] + G[c][r]) * fn[c];
      }
      for (PetscInt d = 0; d < 3; d++) tn += tr[d] * fn[d];
      PetscCall(ClosureVertices(dm, f, s, xa, cs, ca, &nv, vtx, FX, FU, FP));
      for (PetscInt j = 0; j < 3; j++)
        for (PetscInt d = 0; d < 3; d++) buf[12 * nloc + 3 * j + d] = FX[j][d];
      for (PetscInt d = 0; d < 3; d++) buf[12 * nloc + 9 + d] = tr[d] - tn * fn[d];
      nloc++;
    }
    PetscCall(ISRestoreIndices(is, &faces));
    PetscCall(ISDestroy(&is));
  }
  PetscCall(VecRestoreArrayRead(coords, &ca));
  PetscCall(VecRestoreArrayRead(loc, &xa));
  *nout   = nloc;
  *bufout = buf;
  PetscFunctionReturn(0);
}

/* gathered wall triangles (9 coordinates + the cell arrays' values per face) written as one VTP */
static PetscErrorCode WriteWallVTP(HtThreeD td, PetscInt nloc, const PetscReal *buf, PetscInt narr, const char *const names[], const PetscInt ncomp[], const char *path)
{
  PetscInt   ntot, stride = 9;
  PetscReal *all = NULL;

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < narr; a++) stride += ncomp[a];
  PetscCall(GatherReals(td->comm, stride * nloc, buf, &ntot, &all));
  if (!td->rank) {
    PetscInt nt = ntot / stride;
    int      bad = 0;
    FILE    *f;
    for (PetscInt i = 0; i < ntot; i++)
      if (!isfinite(all[i])) bad = 1;
    f = bad ? NULL : fopen(path, "w");
    if (f) {
      fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"PolyData\" version=\"0.1\" byte_order=\"LittleEndian\">\n<PolyData>\n");
      fprintf(f, "<Piece NumberOfPoints=\"%" PetscInt_FMT "\" NumberOfVerts=\"0\" NumberOfLines=\"0\" NumberOfStrips=\"0\" NumberOfPolys=\"%" PetscInt_FMT "\">\n<CellData>\n", 3 * nt, nt);
      for (PetscInt a = 0, off = 9; a < narr; off += ncomp[a], a++) {
        fprintf(f, "<DataArray type=\"Float64\" Name=\"%s\" NumberOfComponents=\"%" PetscInt_FMT "\" format=\"ascii\">\n", names[a], ncomp[a]);
        for (PetscInt t = 0; t < nt; t++) {
          for (PetscInt k = 0; k < ncomp[a]; k++) fprintf(f, "%s%.9g", k ? " " : "", all[stride * t + off + k]);
          fprintf(f, "\n");
        }
        fprintf(f, "</DataArray>\n");
      }
      fprintf(f, "</CellData>\n<Points>\n<DataArray type=\"Float64\" Name=\"coordinates_cm\" NumberOfComponents=\"3\" format=\"ascii\">\n");
      for (PetscInt t = 0; t < nt; t++)
        for (PetscInt j = 0; j < 3; j++) fprintf(f, "%.10g %.10g %.10g\n", all[stride * t + 3 * j], all[stride * t + 3 * j + 1], all[stride * t + 3 * j + 2]);
      fprintf(f, "</DataArray>\n</Points>\n<Polys>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n");
      for (PetscInt t = 0; t < nt; t++) fprintf(f, "%" PetscInt_FMT " %" PetscInt_FMT " %" PetscInt_FMT "\n", 3 * t, 3 * t + 1, 3 * t + 2);
      fprintf(f, "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n");
      for (PetscInt t = 0; t < nt; t++) fprintf(f, "%" PetscInt_FMT "\n", 3 * (t + 1));
      fprintf(f, "</DataArray>\n</Polys>\n</Piece>\n</PolyData>\n</VTKFile>\n");
      if (fclose(f)) bad = 2;
    } else if (!bad) bad = 2;
    PetscCall(PetscFree(all));
    PetscCheck(bad != 1, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "file %s: wall shear stress is not finite, not written", path);
    PetscCheck(bad != 2, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", path);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteWall(HtThreeD td, Vec loc, const char *path)
{
  PetscInt           n;
  PetscReal         *buf, *out;
  const char *const  names[] = {"wall_shear_stress_dyn_cm2", "wall_shear_stress_magnitude_dyn_cm2"};
  const PetscInt     nc[]    = {3, 1};

  PetscFunctionBeginUser;
  PetscCall(WallFaces(td, loc, &n, &buf));
  PetscCall(PetscMalloc1(13 * n + 1, &out));
  for (PetscInt t = 0; t < n; t++) {
    for (PetscInt k = 0; k < 12; k++) out[13 * t + k] = buf[12 * t + k];
    out[13 * t + 12] = PetscSqrtReal(PetscSqr(buf[12 * t + 9]) + PetscSqr(buf[12 * t + 10]) + PetscSqr(buf[12 * t + 11]));
  }
  PetscCall(WriteWallVTP(td, n, out, 2, names, nc, path));
  PetscCall(PetscFree(out));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

/* time-averaged WSS and oscillatory shear index over the accumulation window (last cycle) */
PetscErrorCode HtThreeD_AccumulateWSS(HtThreeD td, PetscReal dt)
{
  Vec        loc;
  PetscInt   n;
  PetscReal *buf;

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_LocalSolution(td, &loc));
  PetscCall(WallFaces(td, loc, &n, &buf));
  PetscCall(DMRestoreLocalVector(td->dm, &loc));
  if (!td->acc) {
    PetscCall(PetscCalloc1(13 * n + 1, &td->acc));
    td->nacc = n;
  }
  PetscCheck(n == td->nacc, PETSC_COMM_SELF, PETSC_ERR_PLIB, "3d: wall face count changed during the run");
  for (PetscInt t = 0; t < n; t++) {
    for (PetscInt k = 0; k < 9; k++) td->acc[13 * t + k] = buf[12 * t + k];
    for (PetscInt k = 0; k < 3; k++) td->acc[13 * t + 9 + k] += dt * buf[12 * t + 9 + k];
    td->acc[13 * t + 12] += dt * PetscSqrtReal(PetscSqr(buf[12 * t + 9]) + PetscSqr(buf[12 * t + 10]) + PetscSqr(buf[12 * t + 11]));
  }
  td->acc_T += dt;
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_WriteTAWSS(HtThreeD td)
{
  char              path[PETSC_MAX_PATH_LEN];
  PetscReal        *out;
  const char *const names[] = {"TAWSS_dyn_cm2", "OSI"};
  const PetscInt    nc[]    = {1, 1};

  PetscFunctionBeginUser;
  if (!td->outdir[0] || !td->acc || td->acc_T <= 0) PetscFunctionReturn(0);
  PetscCall(HtPath_Join(path, sizeof path, td->outdir, "wall_tawss.vtp"));
  PetscCall(PetscMalloc1(11 * td->nacc + 1, &out));
  for (PetscInt t = 0; t < td->nacc; t++) {
    const PetscReal *a   = &td->acc[13 * t];
    PetscReal        mag = PetscSqrtReal(PetscSqr(a[9]) + PetscSqr(a[10]) + PetscSqr(a[11]));
    for (PetscInt k = 0; k < 9; k++) out[11 * t + k] = a[k];
    out[11 * t + 9]  = a[12] / td->acc_T;
    out[11 * t + 10] = a[12] > 0 ? 0.5 * (1.0 - mag / a[12]) : 0.0;
  }
  PetscCall(WriteWallVTP(td, td->nacc, out, 2, names, nc, path));
  PetscCall(PetscFree(out));
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_WallShearStress(HtThreeD td, PetscReal wss_mean_dyn_cm2[3], PetscReal *area_cm2)
{
  DM                 dm = td->dm;
  DMLabel            label;
  PetscSection       s, cs;
  Vec                coords, loc;
  const PetscScalar *xa, *ca;
  PetscInt           fStart, fEnd;
  PetscReal          l[4] = {0, 0, 0, 0}, g[4];

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_LocalSolution(td, &loc));
  PetscCall(DMGetLabel(dm, "Face Sets", &label));
  PetscCall(DMGetLocalSection(dm, &s));
  PetscCall(DMGetCoordinateSection(dm, &cs));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(VecGetArrayRead(loc, &xa));
  PetscCall(VecGetArrayRead(coords, &ca));
  for (PetscInt w = 0; w < td->c.nwalls; w++) {
    IS              is;
    PetscInt        nf = 0;
    const PetscInt *faces;
    PetscCall(DMLabelGetStratumIS(label, td->wall_id[w], &is));
    if (!is) continue;
    PetscCall(ISGetLocalSize(is, &nf));
    PetscCall(ISGetIndices(is, &faces));
    for (PetscInt i = 0; i < nf; i++) {
      PetscInt        f = faces[i], ns, nv, vtx[4];
      const PetscInt *supp;
      PetscReal       X[4][3], U[4][3], P[4], G[3][3], a, fc[3], fn[3], cc[3], vol, dot = 0, tr[3], tn = 0;
      if (f < fStart || f >= fEnd) continue;
      PetscCall(DMPlexGetSupportSize(dm, f, &ns));
      if (ns != 1) continue;
      PetscCall(DMPlexGetSupport(dm, f, &supp));
      PetscCall(DMPlexComputeCellGeometryFVM(dm, f, &a, fc, fn));
      PetscCall(DMPlexComputeCellGeometryFVM(dm, supp[0], &vol, cc, NULL));
      for (PetscInt d = 0; d < 3; d++) dot += fn[d] * (fc[d] - cc[d]);
      if (dot < 0)
        for (PetscInt d = 0; d < 3; d++) fn[d] = -fn[d];
      PetscCall(ClosureVertices(dm, supp[0], s, xa, cs, ca, &nv, vtx, X, U, P));
      PetscCall(CellGradient(X, U, G));
      for (PetscInt r = 0; r < 3; r++) {
        tr[r] = 0;
        for (PetscInt c = 0; c < 3; c++) tr[r] -= td->c.mu_P * (G[r][c] + G[c][r]) * fn[c];
      }
      for (PetscInt d = 0; d < 3; d++) tn += tr[d] * fn[d];
      for (PetscInt d = 0; d < 3; d++) l[d] += a * (tr[d] - tn * fn[d]);
      l[3] += a;
    }
    PetscCall(ISRestoreIndices(is, &faces));
    PetscCall(ISDestroy(&is));
  }
  PetscCall(VecRestoreArrayRead(coords, &ca));
  PetscCall(VecRestoreArrayRead(loc, &xa));
  PetscCall(DMRestoreLocalVector(dm, &loc));
  PetscCall(MPIU_Allreduce(l, g, 4, MPIU_REAL, MPI_SUM, td->comm));
  for (PetscInt d = 0; d < 3; d++) wss_mean_dyn_cm2[d] = g[3] > 0 ? g[d] / g[3] : 0.0;
  if (area_cm2) *area_cm2 = g[3];
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_MeanPressureGradient(HtThreeD td, const PetscReal lo[3], const PetscReal hi[3], PetscReal grad_dyn_cm3[3], PetscReal *vol_cm3)
{
  DM                 dm = td->dm;
  PetscSection       s, cs;
  Vec                coords, loc;
  const PetscScalar *xa, *ca;
  PetscInt           cStart, cEnd;
  PetscReal          l[4] = {0, 0, 0, 0}, g[4];

  PetscFunctionBeginUser;
  PetscCall(HtThreeD_LocalSolution(td, &loc));
  PetscCall(DMGetLocalSection(dm, &s));
  PetscCall(DMGetCoordinateSection(dm, &cs));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(VecGetArrayRead(loc, &xa));
  PetscCall(VecGetArrayRead(coords, &ca));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscInt  nv, vtx[4];
    PetscReal X[4][3], U[4][3], P[4], G[3][3], vol, cc[3];
    PetscBool in = PETSC_TRUE;
    PetscCall(DMPlexComputeCellGeometryFVM(dm, c, &vol, cc, NULL));
    for (PetscInt d = 0; d < 3; d++)
      if (cc[d] < lo[d] || cc[d] > hi[d]) in = PETSC_FALSE;
    if (!in) continue;
    PetscCall(ClosureVertices(dm, c, s, xa, cs, ca, &nv, vtx, X, U, P));
    for (PetscInt j = 0; j < 4; j++) U[j][0] = P[j];
    PetscCall(CellGradient(X, U, G));
    vol = PetscAbsReal(vol);
    for (PetscInt d = 0; d < 3; d++) l[d] += vol * G[0][d];
    l[3] += vol;
  }
  PetscCall(VecRestoreArrayRead(coords, &ca));
  PetscCall(VecRestoreArrayRead(loc, &xa));
  PetscCall(DMRestoreLocalVector(dm, &loc));
  PetscCall(MPIU_Allreduce(l, g, 4, MPIU_REAL, MPI_SUM, td->comm));
  for (PetscInt d = 0; d < 3; d++) grad_dyn_cm3[d] = g[3] > 0 ? g[d] / g[3] : 0.0;
  if (vol_cm3) *vol_cm3 = g[3];
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_WriteFrame(HtThreeD td)
{
  Vec  loc;
  char vpath[PETSC_MAX_PATH_LEN], wpath[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!td->outdir[0]) PetscFunctionReturn(0);
  PetscCall(FramePath(td, "solution", td->nframes, "vtu", vpath, sizeof vpath));
  PetscCall(FramePath(td, "wall", td->nframes, "vtp", wpath, sizeof wpath));
  PetscCall(HtThreeD_LocalSolution(td, &loc));
  PetscCall(WriteVolume(td, loc, vpath));
  PetscCall(WriteWall(td, loc, wpath));
  PetscCall(DMRestoreLocalVector(td->dm, &loc));
  if (td->nframes >= td->maxframes) {
    td->maxframes = 2 * td->maxframes + 16;
    PetscCall(PetscRealloc(sizeof(PetscReal) * td->maxframes, &td->frame_t));
  }
  td->frame_t[td->nframes++] = td->t;
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_WritePVD(HtThreeD td)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!td->outdir[0] || td->rank) PetscFunctionReturn(0);
  for (int w = 0; w < 2; w++) {
    FILE *f;
    PetscCall(HtPath_Join(path, sizeof path, td->outdir, w ? "wall.pvd" : "solution.pvd"));
    f = fopen(path, "w");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", path);
    fprintf(f, "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n<Collection>\n");
    for (PetscInt i = 0; i < td->nframes; i++) fprintf(f, "<DataSet timestep=\"%.9g\" group=\"\" part=\"0\" file=\"%s_%06" PetscInt_FMT ".%s\"/>\n", (double)td->frame_t[i], w ? "wall" : "solution", i, w ? "vtp" : "vtu");
    fprintf(f, "</Collection>\n</VTKFile>\n");
    PetscCheck(!fclose(f), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", path);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_CSVOpen(HtThreeD td)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (td->rank || !td->outdir[0]) PetscFunctionReturn(0);
  PetscCall(HtPath_Join(path, sizeof path, td->outdir, "flows.csv"));
  td->csv = fopen(path, "w");
  PetscCheck(td->csv, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot write", path);
  fprintf(td->csv, "step,t_s,Q_%s_in_mL_s,P_%s_mmHg", td->c.inlet, td->c.inlet);
  for (PetscInt k = 0; k < td->c.noutlets; k++) fprintf(td->csv, ",Q_%s_out_mL_s,P_%s_mmHg", td->c.outlets[k].name, td->c.outlets[k].name);
  fprintf(td->csv, "\n");
  PetscFunctionReturn(0);
}

PetscErrorCode HtThreeD_CSVRow(HtThreeD td)
{
  PetscReal Q, P, A;

  PetscFunctionBeginUser;
  if (!td->outdir[0]) PetscFunctionReturn(0);
  PetscCall(HtThreeD_BoundaryFlow(td, td->c.inlet, &Q, &P, &A));
  if (td->csv) fprintf(td->csv, "%" PetscInt_FMT ",%.9g,%.9g,%.9g", td->step, (double)td->t, (double)-Q, (double)(P / HT_MMHG_TO_DYNCM2));
  for (PetscInt k = 0; k < td->c.noutlets; k++) {
    PetscCall(HtThreeD_BoundaryFlow(td, td->c.outlets[k].name, &Q, &P, &A));
    if (td->csv) fprintf(td->csv, ",%.9g,%.9g", (double)Q, (double)(P / HT_MMHG_TO_DYNCM2));
  }
  if (td->csv) {
    fprintf(td->csv, "\n");
    fflush(td->csv);
  }
  PetscFunctionReturn(0);
}
