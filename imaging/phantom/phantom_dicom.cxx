// DCMTK adaptor: writes a CT volume as a CT Image Storage series (one file per slice).
// Kept in C++ only because DCMTK is C++; the interface is HtPhantom_WriteDicom in htphantom.h.
#include "htphantom.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string DS(double v)
{
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}

std::string DS6(const double *v, int n)
{
  std::string s;
  for (int i = 0; i < n; i++) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6f", std::fabs(v[i]) < 5e-7 ? 0.0 : v[i]);
    if (i) s += "\\";
    s += b;
  }
  return s;
}

// Slice file name: a bijective scramble of the slice index, so names are unique but not in
// slice order (readers must sort by ImagePositionPatient).
std::string SliceName(PetscInt k)
{
  unsigned h = (unsigned)k * 2654435761u;
  h ^= 0x5bd1e995u;
  h = (h << 13) | (h >> 19);
  char b[32];
  std::snprintf(b, sizeof b, "IM_%08X.dcm", h);
  return b;
}

bool DirHasEntries(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d) return false;
  bool           any = false;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) {
      any = true;
      break;
    }
  }
  closedir(d);
  return any;
}

} // namespace

#define HT_DCM_PUT(ds, call, path) \
  do { \
    OFCondition _c = (ds)->call; \
    PetscCheck(_c.good(), PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: DCMTK cannot set an attribute: %s", path, _c.text()); \
  } while (0)

static PetscErrorCode WriteSeries(const HtVolume *ct, const char *dir, const HtPhantomDicomInfo &info, std::vector<std::string> &written)
{
  const HtGrid *g = &ct->g;

  PetscFunctionBeginUser;
  try {
    char study_uid[100], series_uid[100], for_uid[100];
    dcmGenerateUniqueIdentifier(study_uid, SITE_STUDY_UID_ROOT);
    dcmGenerateUniqueIdentifier(series_uid, SITE_SERIES_UID_ROOT);
    dcmGenerateUniqueIdentifier(for_uid, SITE_UID_ROOT ".1.5");
    const double      iop[6] = {g->dir[0], g->dir[1], g->dir[2], g->dir[3], g->dir[4], g->dir[5]};
    const std::string iop_s  = DS6(iop, 6);
    const std::string ps_s   = DS(g->spacing[1]) + "\\" + DS(g->spacing[0]); // row spacing \ column spacing
    const size_t      nslice = (size_t)g->n[0] * (size_t)g->n[1];
    std::vector<Uint16> px(nslice);
    char              num[32];

    for (PetscInt k = 0; k < g->n[2]; k++) {
      DcmFileFormat ff;
      DcmDataset   *ds = ff.getDataset();
      char          sop_uid[100];
      std::string   path = std::string(dir) + "/" + SliceName(k), tmp = std::string(dir) + "/.tmp_" + SliceName(k);
      const char   *P    = path.c_str();
      PetscReal     ijk[3] = {0, 0, (PetscReal)k}, pos[3];
      double        posd[3], loc = 0;

      HtGrid_IndexToWorld(g, ijk, pos);
      for (int c = 0; c < 3; c++) posd[c] = pos[c], loc += pos[c] * g->dir[6 + c];
      dcmGenerateUniqueIdentifier(sop_uid, SITE_INSTANCE_UID_ROOT);

      HT_DCM_PUT(ds, putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SOPInstanceUID, sop_uid), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_StudyInstanceUID, study_uid), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SeriesInstanceUID, series_uid), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_FrameOfReferenceUID, for_uid), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PositionReferenceIndicator, ""), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_Modality, "CT"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_Manufacturer, "hemotwin phantom"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_ManufacturerModelName, "HtPhantom"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_BodyPartExamined, "CHEST"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PatientPosition, "HFS"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_KVP, "100"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_ConvolutionKernel, "B30f"), P);
      // identifying values (made up) for the de-identification tests
      HT_DCM_PUT(ds, putAndInsertString(DCM_PatientName, info.patient_name), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PatientID, info.patient_id), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PatientBirthDate, info.birth_date), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PatientSex, info.sex), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PatientAge, "052Y"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_StudyDate, info.study_date), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_StudyTime, info.study_time), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SeriesDate, info.study_date), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_ContentDate, info.study_date), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_AccessionNumber, info.accession), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_InstitutionName, info.institution), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_ReferringPhysicianName, info.referring), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_OperatorsName, "ROE^RICHARD"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_StationName, "CT-ROOM-2"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_StudyDescription, info.study_desc), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SeriesDescription, info.series_desc), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_StudyID, "1"), P);
      std::snprintf(num, sizeof num, "%d", (int)info.series_number);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SeriesNumber, num), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_AcquisitionNumber, "1"), P);
      // scanners often number from the top: instance 1 = most superior slice
      std::snprintf(num, sizeof num, "%d", (int)(g->n[2] - k));
      HT_DCM_PUT(ds, putAndInsertString(DCM_InstanceNumber, num), P);
      // geometry
      HT_DCM_PUT(ds, putAndInsertString(DCM_ImagePositionPatient, (DS(posd[0]) + "\\" + DS(posd[1]) + "\\" + DS(posd[2])).c_str()), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_ImageOrientationPatient, iop_s.c_str()), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SliceLocation, DS(loc).c_str()), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PixelSpacing, ps_s.c_str()), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SliceThickness, DS(g->spacing[2]).c_str()), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_SpacingBetweenSlices, DS(g->spacing[2]).c_str()), P);
      // pixel module: signed int16, HU = stored - 1024
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_SamplesPerPixel, 1), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2"), P);
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_Rows, (Uint16)g->n[1]), P);
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_Columns, (Uint16)g->n[0]), P);
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_BitsAllocated, 16), P);
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_BitsStored, 16), P);
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_HighBit, 15), P);
      HT_DCM_PUT(ds, putAndInsertUint16(DCM_PixelRepresentation, 1), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_RescaleIntercept, "-1024"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_RescaleSlope, "1"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_RescaleType, "HU"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_WindowCenter, "300"), P);
      HT_DCM_PUT(ds, putAndInsertString(DCM_WindowWidth, "1500"), P);
      const float *src = ct->val + (size_t)k * nslice;
      for (size_t p = 0; p < nslice; p++) {
        long v = std::lround((double)src[p]) + 1024;
        v      = v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
        Sint16 sv = (Sint16)v;
        std::memcpy(&px[p], &sv, sizeof sv);
      }
      HT_DCM_PUT(ds, putAndInsertUint16Array(DCM_PixelData, px.data(), (unsigned long)nslice), P);

      // write to a hidden temporary name and rename, so a failure never leaves a truncated slice
      OFCondition st = ff.saveFile(tmp.c_str(), EXS_LittleEndianExplicit);
      if (st.bad()) {
        std::remove(tmp.c_str());
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: DCMTK cannot write the slice: %s", P, st.text());
      }
      if (std::rename(tmp.c_str(), P) != 0) {
        std::remove(tmp.c_str());
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: cannot rename the written slice into place", P);
      }
      written.push_back(path);
    }
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "folder %s: DICOM writer failed: %s", dir, e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_WriteDicom(const HtVolume *ct, const char *dir, const HtPhantomDicomInfo *info_in)
{
  HtPhantomDicomInfo info;
  const HtGrid      *g;
  PetscBool          exists, isdir;

  PetscFunctionBeginUser;
  PetscCheck(ct && ct->val, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom DICOM writer: no volume given");
  PetscCheck(dir && dir[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom DICOM writer: no output folder given");
  g = &ct->g;
  PetscCheck(g->n[0] > 0 && g->n[1] > 0 && g->n[2] > 0 && g->n[0] <= 65535 && g->n[1] <= 65535, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: volume size %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " cannot be written as DICOM", dir, g->n[0], g->n[1], g->n[2]);
  for (int a = 0; a < 3; a++) {
    PetscCheck(g->spacing[a] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: voxel spacing along axis %d is not > 0", dir, a);
    for (int b = 0; b < 3; b++) {
      double d = 0;
      for (int c = 0; c < 3; c++) d += g->dir[3 * a + c] * g->dir[3 * b + c];
      PetscCheck(std::fabs(d - (a == b)) < 1e-6, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: volume direction cosines are not orthonormal", dir);
    }
  }
  if (info_in) info = *info_in;
  else PetscCall(HtPhantom_DicomInfoDefault(&info));

  PetscCall(HtPath_Exists(dir, &exists, &isdir));
  PetscCheck(!exists || isdir, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: exists and is not a folder", dir);
  // mixing two series in one folder would make the reader's job ambiguous: refuse
  PetscCheck(!exists || !DirHasEntries(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: not empty; the DICOM series needs an empty or new folder", dir);
  PetscCall(HtPath_MakeDir(dir));
  {
    std::vector<std::string> written;
    PetscErrorCode           ierr = WriteSeries(ct, dir, info, written);
    if (ierr) { // no partial series left behind: the folder was new or empty, so these are all ours
      for (const std::string &w : written) std::remove(w.c_str());
      if (!exists) rmdir(dir);
    }
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}
