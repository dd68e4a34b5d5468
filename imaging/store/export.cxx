/* DCMTK writer for HtStore_ExportDicom: de-identified CT/MR/SC image files, one per slice, from a
 * stored volume. Only values from the store (pseudonym, remapped UIDs, shifted date, geometry,
 * pixels) are written; nothing identifying exists here to leak. */
#include "store_export.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string Num(double v)
{
  char b[64];
  snprintf(b, sizeof(b), "%.10g", v); /* DS: at most 16 characters */
  std::string s(b);
  if (s.size() > 16) {
    snprintf(b, sizeof(b), "%.8g", v);
    s = b;
  }
  return s;
}

OFCondition Put(DcmDataset *ds, const DcmTagKey &t, const std::string &v) { return ds->putAndInsertString(t, v.c_str()); }

PetscErrorCode WriteAll(const HtStoreExportInfo *in, const HtVolume *vol, const std::string &dir, std::vector<std::string> *written)
{
  PetscFunctionBeginUser;
  const HtGrid *g   = &vol->g;
  const size_t  nx  = (size_t)g->n[0], ny = (size_t)g->n[1], nz = (size_t)g->n[2], np = nx * ny;
  const size_t  nv  = np * nz;
  PetscCheck(nx > 0 && ny > 0 && nz > 0 && nx <= 65535 && ny <= 65535, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: volume %zux%zux%zu cannot be written as DICOM images", dir.c_str(), nx, ny, nz);
  PetscCheck(in->nslices == (PetscInt)nz, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: %" PetscInt_FMT " SOP UIDs for %zu slices", dir.c_str(), in->nslices, nz);
  /* 16-bit signed stored values: exact when the volume holds integers in range, else a linear map */
  float lo = vol->val[0], hi = vol->val[0];
  bool  ints = true;
  for (size_t q = 0; q < nv; q++) {
    float v = vol->val[q];
    PetscCheck(std::isfinite(v), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: volume holds non-finite values", dir.c_str());
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (ints && v != std::nearbyint(v)) ints = false;
  }
  double slope = 1, inter = 0;
  if (!ints || lo < -32768 || hi > 32767) {
    slope = hi > lo ? ((double)hi - lo) / 65535.0 : 1.0;
    inter = (double)lo + 32768.0 * slope;
  }
  const bool        ct  = !strcmp(in->modality, "CT"), mr = !strcmp(in->modality, "MR");
  const char *const sop = ct ? UID_CTImageStorage : mr ? UID_MRImageStorage : UID_SecondaryCaptureImageStorage;
  std::vector<Sint16> px(np);
  for (size_t k = 0; k < nz; k++) {
    DcmFileFormat ff;
    DcmDataset   *ds = ff.getDataset();
    double        ipp[3];
    for (int c = 0; c < 3; c++) ipp[c] = g->origin[c] + (double)k * g->spacing[2] * g->dir[6 + c];
    const float *v = vol->val + k * np;
    for (size_t q = 0; q < np; q++) px[q] = (Sint16)std::lround(std::min(32767.0, std::max(-32768.0, (v[q] - inter) / slope)));
    OFCondition c = EC_Normal;
    auto        P = [&](const DcmTagKey &t, const std::string &s) {
      if (c.good()) c = Put(ds, t, s);
    };
    P(DCM_SpecificCharacterSet, "ISO_IR 100");
    P(DCM_ImageType, "DERIVED\\SECONDARY\\AXIAL");
    P(DCM_SOPClassUID, sop);
    P(DCM_SOPInstanceUID, in->sop_uids[k]);
    P(DCM_StudyDate, in->study_date);
    P(DCM_SeriesDate, in->study_date);
    P(DCM_ContentDate, in->study_date);
    P(DCM_StudyTime, "");
    P(DCM_AccessionNumber, "");
    P(DCM_Modality, in->modality[0] ? in->modality : "OT");
    if (!ct && !mr) P(DCM_ConversionType, "WSD");
    P(DCM_Manufacturer, "");
    P(DCM_ReferringPhysicianName, "");
    P(DCM_PatientName, in->pseudonym);
    P(DCM_PatientID, in->pseudonym);
    P(DCM_PatientBirthDate, "");
    P(DCM_PatientSex, "");
    P(DCM_PatientIdentityRemoved, "YES");
    P(DCM_DeidentificationMethod, "hemotwin: PS3.15 E.1 Basic Application Level Confidentiality Profile, Retain Longitudinal Temporal Information with Modified Dates");
    P(DCM_BurnedInAnnotation, in->burned_in[0] ? in->burned_in : "NO");
    P(DCM_StudyInstanceUID, in->study_uid);
    P(DCM_SeriesInstanceUID, in->series_uid);
    P(DCM_StudyID, "");
    P(DCM_SeriesNumber, "1");
    P(DCM_InstanceNumber, std::to_string(k + 1));
    P(DCM_FrameOfReferenceUID, in->for_uid);
    P(DCM_PositionReferenceIndicator, "");
    P(DCM_ImagePositionPatient, Num(ipp[0]) + "\\" + Num(ipp[1]) + "\\" + Num(ipp[2]));
    P(DCM_ImageOrientationPatient, Num(g->dir[0]) + "\\" + Num(g->dir[1]) + "\\" + Num(g->dir[2]) + "\\" + Num(g->dir[3]) + "\\" + Num(g->dir[4]) + "\\" + Num(g->dir[5]));
    P(DCM_PixelSpacing, Num(g->spacing[1]) + "\\" + Num(g->spacing[0])); /* row spacing, column spacing */
    P(DCM_SliceThickness, Num(in->slice_thickness_mm > 0 ? in->slice_thickness_mm : g->spacing[2]));
    P(DCM_SliceLocation, Num(ipp[0] * g->dir[6] + ipp[1] * g->dir[7] + ipp[2] * g->dir[8]));
    P(DCM_PhotometricInterpretation, "MONOCHROME2");
    P(DCM_RescaleIntercept, Num(inter));
    P(DCM_RescaleSlope, Num(slope));
    if (ct) {
      P(DCM_RescaleType, "HU");
      P(DCM_KVP, "");
      P(DCM_AcquisitionNumber, "");
    }
    if (mr) {
      P(DCM_ScanningSequence, "RM");
      P(DCM_SequenceVariant, "NONE");
      P(DCM_ScanOptions, "");
      P(DCM_MRAcquisitionType, "3D");
      P(DCM_EchoTime, "");
      P(DCM_EchoTrainLength, "");
      P(DCM_RepetitionTime, "");
    }
    if (c.good()) c = ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    if (c.good()) c = ds->putAndInsertUint16(DCM_Rows, (Uint16)ny);
    if (c.good()) c = ds->putAndInsertUint16(DCM_Columns, (Uint16)nx);
    if (c.good()) c = ds->putAndInsertUint16(DCM_BitsAllocated, 16);
    if (c.good()) c = ds->putAndInsertUint16(DCM_BitsStored, 16);
    if (c.good()) c = ds->putAndInsertUint16(DCM_HighBit, 15);
    if (c.good()) c = ds->putAndInsertUint16(DCM_PixelRepresentation, 1);
    if (c.good()) c = ds->putAndInsertUint16Array(DCM_PixelData, (const Uint16 *)px.data(), (unsigned long)np);
    if (c.good()) {
      /* DeidentificationMethodCodeSequence: 113100 basic profile, 113106 modified dates option */
      const char *codes[2][2] = {{"113100", "Basic Application Confidentiality Profile"}, {"113106", "Retain Longitudinal Temporal Information Modified Dates Option"}};
      for (int q = 0; q < 2 && c.good(); q++) {
        DcmItem *it = NULL;
        c           = ds->findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, it, -2);
        if (c.good() && it) {
          c = it->putAndInsertString(DCM_CodeValue, codes[q][0]);
          if (c.good()) c = it->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
          if (c.good()) c = it->putAndInsertString(DCM_CodeMeaning, codes[q][1]);
        }
      }
    }
    PetscCheck(c.good(), PETSC_COMM_SELF, PETSC_ERR_LIB, "folder %s: building DICOM slice %zu failed (%s)", dir.c_str(), k, c.text());
    char name[32];
    snprintf(name, sizeof(name), "IM%05zu.dcm", k + 1);
    std::string path = (fs::path(dir) / name).string();
    c                = ff.saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0, EWM_createNewMeta);
    written->push_back(path);
    PetscCheck(c.good(), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed (%s)", path.c_str(), c.text());
  }
  PetscFunctionReturn(0);
}

} // namespace

extern "C" PetscErrorCode HtStore_WriteDicomSeries(const HtStoreExportInfo *info, const HtVolume *vol, const char *outdir, PetscInt *nfiles)
{
  PetscFunctionBeginUser;
  PetscCheck(info && vol && vol->val && outdir, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtStore_WriteDicomSeries: NULL argument");
  std::vector<std::string> written;
  try {
    std::error_code ec;
    if (fs::exists(outdir, ec)) {
      PetscCheck(fs::is_directory(outdir, ec), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: exists and is not a folder", outdir);
      PetscCheck(fs::is_empty(outdir, ec), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: not empty (export writes into a new or empty folder)", outdir);
    } else {
      fs::create_directories(outdir, ec);
      PetscCheck(!ec, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: cannot create (%s)", outdir, ec.message().c_str());
    }
    PetscErrorCode ierr = WriteAll(info, vol, outdir, &written);
    if (ierr) {
      for (auto &p : written) fs::remove(p, ec); /* no half export left behind */
      PetscCall(ierr);
    }
  } catch (const std::exception &e) {
    std::error_code ec;
    for (auto &p : written) fs::remove(p, ec);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "folder %s: DICOM export failed (%s)", outdir, e.what());
  }
  if (nfiles) *nfiles = (PetscInt)written.size();
  PetscFunctionReturn(0);
}
