/* NIfTI / MetaImage reading and NIfTI writing through VTK, behind the plain C header htvolumeio.h.
 * VTK keeps the file's voxel order (reversing slices only when qfac = -1) and hands the
 * orientation as a 4x4 matrix from VTK data coordinates (index * spacing, origin 0) to RAS mm;
 * we turn that into our LPS grid (negate x and y) without touching the voxel order. */
#include "htvolumeio.h"

#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkMetaImageReader.h>
#include <vtkNIFTIImageHeader.h>
#include <vtkNIFTIImageReader.h>
#include <vtkNIFTIImageWriter.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkFloatArray.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>

namespace
{

struct QuietVTK {
  int saved;
  QuietVTK() : saved(vtkObject::GetGlobalWarningDisplay()) { vtkObject::GlobalWarningDisplayOff(); }
  ~QuietVTK() { vtkObject::SetGlobalWarningDisplay(saved); }
};

/* Build the grid from VTK's index*spacing -> RAS matrix M (3x4 used) and the VTK spacing. */
PetscErrorCode GridFromRAS(const char *path, const int dims[3], const double sp[3], const double M[3][4], HtGrid *g)
{
  PetscFunctionBeginUser;
  std::memset(g, 0, sizeof(*g));
  for (int a = 0; a < 3; a++) {
    PetscCheck(dims[a] > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: dimension %d is %d", path, a, dims[a]);
    double col[3] = {-M[0][a] * sp[a], -M[1][a] * sp[a], M[2][a] * sp[a]}; /* RAS -> LPS */
    double len    = std::sqrt(col[0] * col[0] + col[1] * col[1] + col[2] * col[2]);
    PetscCheck(len > 0 && std::isfinite(len), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: degenerate orientation matrix (axis %d)", path, a);
    g->n[a]       = dims[a];
    g->spacing[a] = len;
    for (int c = 0; c < 3; c++) g->dir[3 * a + c] = col[c] / len;
  }
  g->origin[0] = -M[0][3];
  g->origin[1] = -M[1][3];
  g->origin[2] = M[2][3];
  /* our grid needs orthonormal axes; sheared sforms are not supported */
  for (int a = 0; a < 3; a++)
    for (int b = a + 1; b < 3; b++) {
      double d = g->dir[3 * a] * g->dir[3 * b] + g->dir[3 * a + 1] * g->dir[3 * b + 1] + g->dir[3 * a + 2] * g->dir[3 * b + 2];
      PetscCheck(std::fabs(d) < 1e-3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: sheared (non-orthogonal) orientation matrix is not supported", path);
    }
  PetscFunctionReturn(0);
}

bool EndsWith(const std::string &s, const char *suf)
{
  size_t n = std::strlen(suf);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; i++)
    if (std::tolower((unsigned char)s[s.size() - n + i]) != suf[i]) return false;
  return true;
}

PetscErrorCode CheckReadable(const char *path)
{
  PetscBool ex = PETSC_FALSE, isdir = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "volume file name is empty");
  PetscCall(HtPath_Exists(path, &ex, &isdir));
  PetscCheck(ex && !isdir, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: does not exist or is a folder", path);
  std::FILE *f = std::fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot be opened", path);
  std::fclose(f);
  PetscFunctionReturn(0);
}

/* Read a NIfTI file: the image plus its grid. */
PetscErrorCode ReadNIfTIImage(const char *path, vtkSmartPointer<vtkImageData> &img, HtGrid *g, double *slope, double *inter)
{
  PetscFunctionBeginUser;
  PetscCall(CheckReadable(path));
  vtkNew<vtkNIFTIImageReader> r;
  QuietVTK                    quiet; /* our one-line error replaces VTK's multi-line report */
  PetscCheck(r->CanReadFile(path), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not a NIfTI/Analyze file", path);
  r->SetFileName(path);
  r->Update();
  PetscCheck(r->GetErrorCode() == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: VTK could not read the NIfTI data (truncated or corrupt)", path);
  img = r->GetOutput();
  PetscCheck(img && img->GetPointData()->GetScalars(), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: no voxel data", path);
  PetscCheck(img->GetNumberOfScalarComponents() == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %d components per voxel, expected a scalar 3D image", path, img->GetNumberOfScalarComponents());
  vtkNIFTIImageHeader *h = r->GetNIFTIHeader();
  PetscCheck(h->GetDim(0) <= 3 || h->GetDim(4) <= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: 4D image (%d time points), expected 3D", path, (int)h->GetDim(4));
  int    dims[3];
  double sp[3], M[3][4];
  img->GetDimensions(dims);
  img->GetSpacing(sp);
  vtkMatrix4x4 *m = nullptr;
  if (h->GetSFormCode() > 0) m = r->GetSFormMatrix();
  if (!m && h->GetQFormCode() > 0) m = r->GetQFormMatrix();
  if (m) {
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 4; j++) M[i][j] = m->GetElement(i, j);
  } else {
    /* ANALYZE-style file: no orientation; NIfTI says i -> +x, j -> +y, k -> +z (RAS) */
    HtLog_Warn("NIfTI file without sform/qform: assuming RAS axes and zero origin");
    std::memset(M, 0, sizeof(M));
    for (int i = 0; i < 3; i++) M[i][i] = 1.0;
  }
  /* VTK puts any origin into the image; fold it into the translation */
  double o[3];
  img->GetOrigin(o);
  for (int i = 0; i < 3; i++) M[i][3] += M[i][0] * o[0] + M[i][1] * o[1] + M[i][2] * o[2];
  for (int a = 0; a < 3; a++) PetscCheck(sp[a] > 0 && std::isfinite(sp[a]), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: invalid voxel spacing %g along axis %d", path, sp[a], a);
  PetscCall(GridFromRAS(path, dims, sp, M, g));
  *slope = r->GetRescaleSlope();
  *inter = r->GetRescaleIntercept();
  PetscFunctionReturn(0);
}

PetscErrorCode CopyToVolume(const char *path, vtkImageData *img, const HtGrid *g, double slope, double inter, HtVolume *vol)
{
  PetscFunctionBeginUser;
  vtkDataArray *a = img->GetPointData()->GetScalars();
  size_t        n = HtGrid_Count(g);
  PetscCheck((size_t)a->GetNumberOfTuples() == n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: %lld voxels read, %zu expected", path, (long long)a->GetNumberOfTuples(), n);
  if (slope == 0.0 || !std::isfinite(slope)) { slope = 1.0; inter = 0.0; } /* NIfTI: slope 0 = no scaling */
  if (!std::isfinite(inter)) inter = 0.0;
  PetscCall(HtVolume_Alloc(vol, g));
  for (size_t i = 0; i < n; i++) vol->val[i] = (float)(slope * a->GetComponent((vtkIdType)i, 0) + inter);
  PetscFunctionReturn(0);
}

/* MetaImage header keys we need that vtkMetaImageReader does not expose (direction). */
PetscErrorCode MetaDirection(const char *path, double dir[9], bool *found)
{
  PetscFunctionBeginUser;
  *found = false;
  std::ifstream f(path, std::ios::binary);
  PetscCheck(f.good(), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot be opened", path);
  std::string line;
  int         nlines = 0;
  while (std::getline(f, line) && nlines++ < 200) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    while (!key.empty() && std::isspace((unsigned char)key.back())) key.pop_back();
    if (key == "ElementDataFile") break; /* binary data follows */
    if (key == "TransformMatrix" || key == "Rotation" || key == "Orientation") {
      std::istringstream ss(line.substr(eq + 1));
      int                k = 0;
      while (k < 9 && (ss >> dir[k])) k++;
      PetscCheck(k == 9, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s has %d values, expected 9", path, key.c_str(), k);
      *found = true;
    }
  }
  PetscFunctionReturn(0);
}

} // namespace

extern "C" PetscErrorCode HtVolume_ReadNIfTI(const char *path, HtVolume *vol)
{
  PetscFunctionBeginUser;
  std::memset(vol, 0, sizeof(*vol));
  try {
    vtkSmartPointer<vtkImageData> img;
    HtGrid                        g;
    double                        slope = 1, inter = 0;
    PetscCall(ReadNIfTIImage(path, img, &g, &slope, &inter));
    PetscCall(CopyToVolume(path, img, &g, slope, inter, vol));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK NIfTI reader failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtLabels_ReadNIfTI(const char *path, HtLabels *lab)
{
  PetscFunctionBeginUser;
  std::memset(lab, 0, sizeof(*lab));
  try {
    vtkSmartPointer<vtkImageData> img;
    HtGrid                        g;
    double                        slope = 1, inter = 0;
    PetscCall(ReadNIfTIImage(path, img, &g, &slope, &inter));
    vtkDataArray *a = img->GetPointData()->GetScalars();
    size_t        n = HtGrid_Count(&g);
    PetscCheck((size_t)a->GetNumberOfTuples() == n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: %lld voxels read, %zu expected", path, (long long)a->GetNumberOfTuples(), n);
    if (slope == 0.0) { slope = 1.0; inter = 0.0; }
    PetscCall(HtLabels_Alloc(lab, &g));
    for (size_t i = 0; i < n; i++) {
      double v  = slope * a->GetComponent((vtkIdType)i, 0) + inter;
      long   iv = std::lround(v);
      if (!(iv >= 0 && iv <= 255 && std::fabs(v - (double)iv) < 1e-3)) {
        PetscCall(HtLabels_Free(lab));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: voxel value %g is not a label 0..255", path, v);
      }
      lab->lab[i] = (uint8_t)iv;
    }
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK NIfTI reader failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVolume_ReadMeta(const char *path, HtVolume *vol)
{
  PetscFunctionBeginUser;
  std::memset(vol, 0, sizeof(*vol));
  PetscCall(CheckReadable(path));
  try {
    vtkNew<vtkMetaImageReader> r;
    QuietVTK                   quiet;
    PetscCheck(r->CanReadFile(path), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: not a MetaImage file", path);
    r->SetFileName(path);
    r->Update();
    PetscCheck(r->GetErrorCode() == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: VTK could not read the MetaImage data", path);
    vtkImageData *img = r->GetOutput();
    PetscCheck(img && img->GetPointData()->GetScalars(), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: no voxel data", path);
    PetscCheck(img->GetNumberOfScalarComponents() == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %d components per voxel, expected scalar", path, img->GetNumberOfScalarComponents());
    int    dims[3];
    double sp[3], o[3], dir[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    bool   found;
    img->GetDimensions(dims);
    img->GetSpacing(sp);
    img->GetOrigin(o);
    PetscCall(MetaDirection(path, dir, &found));
    HtGrid g;
    std::memset(&g, 0, sizeof(g));
    for (int a = 0; a < 3; a++) {
      PetscCheck(dims[a] > 0 && sp[a] > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: invalid size/spacing on axis %d", path, a);
      g.n[a]       = dims[a];
      g.spacing[a] = sp[a];
      g.origin[a]  = o[a];
      double len   = std::sqrt(dir[3 * a] * dir[3 * a] + dir[3 * a + 1] * dir[3 * a + 1] + dir[3 * a + 2] * dir[3 * a + 2]);
      PetscCheck(len > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: degenerate TransformMatrix", path);
      for (int c = 0; c < 3; c++) g.dir[3 * a + c] = dir[3 * a + c] / len;
    }
    PetscCall(CopyToVolume(path, img, &g, 1.0, 0.0, vol));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK MetaImage reader failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtVolume_Read(const char *path, HtVolume *vol)
{
  PetscFunctionBeginUser;
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "volume file name is empty");
  std::string s(path);
  if (EndsWith(s, ".nii") || EndsWith(s, ".nii.gz") || EndsWith(s, ".hdr") || EndsWith(s, ".img") || EndsWith(s, ".img.gz")) PetscCall(HtVolume_ReadNIfTI(path, vol));
  else if (EndsWith(s, ".mha") || EndsWith(s, ".mhd")) PetscCall(HtVolume_ReadMeta(path, vol));
  else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: unknown volume format (expected .nii, .nii.gz, .mha or .mhd)", path);
  PetscFunctionReturn(0);
}

namespace
{
PetscErrorCode WriteNIfTI(vtkImageData *img, const HtGrid *g, const char *path)
{
  PetscFunctionBeginUser;
  /* index*spacing -> RAS: columns are the unit axes in RAS, translation the RAS origin */
  vtkNew<vtkMatrix4x4> m;
  for (int a = 0; a < 3; a++) {
    m->SetElement(0, a, -g->dir[3 * a + 0]);
    m->SetElement(1, a, -g->dir[3 * a + 1]);
    m->SetElement(2, a, g->dir[3 * a + 2]);
  }
  m->SetElement(0, 3, -g->origin[0]);
  m->SetElement(1, 3, -g->origin[1]);
  m->SetElement(2, 3, g->origin[2]);
  vtkNew<vtkNIFTIImageWriter> w;
  w->SetInputData(img);
  w->SetFileName(path);
  w->SetSFormMatrix(m);
  if (m->Determinant() > 0) w->SetQFormMatrix(m); /* the quaternion form needs a proper rotation */
  w->Write();
  PetscCheck(w->GetErrorCode() == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: VTK could not write the NIfTI file", path);
  PetscFunctionReturn(0);
}

void SetupImage(vtkImageData *img, const HtGrid *g)
{
  img->SetDimensions((int)g->n[0], (int)g->n[1], (int)g->n[2]);
  img->SetSpacing(g->spacing[0], g->spacing[1], g->spacing[2]);
  img->SetOrigin(0, 0, 0);
}
} // namespace

extern "C" PetscErrorCode HtVolume_WriteNIfTI(const HtVolume *vol, const char *path)
{
  PetscFunctionBeginUser;
  try {
    vtkNew<vtkImageData>  img;
    vtkNew<vtkFloatArray> a;
    SetupImage(img, &vol->g);
    a->SetName("HU");
    /* VTK only reads from the array: share the buffer instead of copying */
    a->SetArray(vol->val, (vtkIdType)HtGrid_Count(&vol->g), 1);
    img->GetPointData()->SetScalars(a);
    PetscCall(WriteNIfTI(img, &vol->g, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK NIfTI writer failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode HtLabels_WriteNIfTI(const HtLabels *lab, const char *path)
{
  PetscFunctionBeginUser;
  try {
    vtkNew<vtkImageData>          img;
    vtkNew<vtkUnsignedCharArray> a;
    SetupImage(img, &lab->g);
    a->SetName("label");
    a->SetArray(lab->lab, (vtkIdType)HtGrid_Count(&lab->g), 1);
    img->GetPointData()->SetScalars(a);
    PetscCall(WriteNIfTI(img, &lab->g, path));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: VTK NIfTI writer failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}
