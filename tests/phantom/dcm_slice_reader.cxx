// Test-only DCMTK reader for one slice (see dcm_slice_reader.h).
#include "dcm_slice_reader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cstdio>
#include <cstring>
#include <exception>

static void GetStr(DcmItem *it, const DcmTagKey &key, char *buf, size_t len)
{
  OFString v;
  buf[0] = 0;
  if (it->findAndGetOFStringArray(key, v).good()) std::snprintf(buf, len, "%s", v.c_str());
}

static long GetLong(DcmDataset *ds, const DcmTagKey &key)
{
  Uint16 u;
  Sint32 i;
  if (ds->findAndGetUint16(key, u).good()) return u;
  if (ds->findAndGetSint32(key, i).good()) return i;
  return -1;
}

PetscErrorCode HtTestDcm_ReadSlice(const char *path, HtTestDcmSlice *s)
{
  PetscFunctionBeginUser;
  std::memset(s, 0, sizeof(*s));
  try {
    DcmFileFormat ff;
    OFCondition   st = ff.loadFile(path);
    PetscCheck(st.good(), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: DCMTK cannot read: %s", path, st.text());
    DcmDataset *ds = ff.getDataset();
    GetStr(ff.getMetaInfo(), DCM_TransferSyntaxUID, s->transfer_syntax, sizeof s->transfer_syntax);
    GetStr(ff.getMetaInfo(), DCM_MediaStorageSOPClassUID, s->media_sop_class, sizeof s->media_sop_class);
    GetStr(ff.getMetaInfo(), DCM_MediaStorageSOPInstanceUID, s->media_sop_uid, sizeof s->media_sop_uid);
    GetStr(ds, DCM_SOPClassUID, s->sop_class, sizeof s->sop_class);
    GetStr(ds, DCM_SOPInstanceUID, s->sop_uid, sizeof s->sop_uid);
    GetStr(ds, DCM_SeriesInstanceUID, s->series_uid, sizeof s->series_uid);
    GetStr(ds, DCM_Modality, s->modality, sizeof s->modality);
    GetStr(ds, DCM_PhotometricInterpretation, s->photometric, sizeof s->photometric);
    GetStr(ds, DCM_PatientName, s->patient_name, sizeof s->patient_name);
    s->rows              = GetLong(ds, DCM_Rows);
    s->cols              = GetLong(ds, DCM_Columns);
    s->bits_allocated    = GetLong(ds, DCM_BitsAllocated);
    s->bits_stored       = GetLong(ds, DCM_BitsStored);
    s->high_bit          = GetLong(ds, DCM_HighBit);
    s->pixel_rep         = GetLong(ds, DCM_PixelRepresentation);
    s->samples_per_pixel = GetLong(ds, DCM_SamplesPerPixel);
    Sint32 inst          = -1;
    ds->findAndGetSint32(DCM_InstanceNumber, inst);
    s->instance = inst;
    for (int i = 0; i < 3; i++) PetscCheck(ds->findAndGetFloat64(DCM_ImagePositionPatient, s->ipp[i], i).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no ImagePositionPatient", path);
    for (int i = 0; i < 6; i++) PetscCheck(ds->findAndGetFloat64(DCM_ImageOrientationPatient, s->iop[i], i).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no ImageOrientationPatient", path);
    for (int i = 0; i < 2; i++) PetscCheck(ds->findAndGetFloat64(DCM_PixelSpacing, s->pixel_spacing[i], i).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no PixelSpacing", path);
    PetscCheck(ds->findAndGetFloat64(DCM_SliceThickness, s->slice_thickness).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no SliceThickness", path);
    PetscCheck(ds->findAndGetFloat64(DCM_RescaleIntercept, s->intercept).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no RescaleIntercept", path);
    PetscCheck(ds->findAndGetFloat64(DCM_RescaleSlope, s->slope).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no RescaleSlope", path);
    DcmElement *pe = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, pe).good() && pe) std::snprintf(s->pixel_vr, sizeof s->pixel_vr, "%s", DcmVR(pe->getVR()).getVRName());
    const Uint16 *px = nullptr;
    unsigned long cnt = 0;
    PetscCheck(ds->findAndGetUint16Array(DCM_PixelData, px, &cnt).good() && px, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no 16-bit PixelData", path);
    PetscCheck(s->rows > 0 && s->cols > 0 && cnt == (unsigned long)(s->rows * s->cols), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: PixelData has %lu values for %ldx%ld", path, cnt, s->rows, s->cols);
    PetscCall(PetscMalloc1(cnt, &s->hu));
    for (unsigned long p = 0; p < cnt; p++) {
      double v = s->pixel_rep == 1 ? (double)(Sint16)px[p] : (double)px[p];
      s->hu[p] = v * s->slope + s->intercept;
    }
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: DCMTK failed: %s", path, e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtTestDcm_FreeSlice(HtTestDcmSlice *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->hu));
  PetscFunctionReturn(0);
}
