/* DCMTK adaptor behind htdicom.h: folder scan, series grouping, geometric slice sort, pixel decode.
 * C++ is confined to this file; every entry point catches exceptions and turns them into PETSc errors.
 * Messages name files by path only, never by an attribute value (PHI). */
#include <htdicom.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>
#include <openjpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

void RegisterCodecs()
{
  static bool done = false;
  if (done) return;
  done = true;
  /* DCMTK logs parse problems on stderr by default; we report our own one-line errors instead. */
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  DJDecoderRegistration::registerCodecs();
  DJLSDecoderRegistration::registerCodecs();
  DcmRLEDecoderRegistration::registerCodecs();
}

void CopyStr(char *dst, size_t len, const std::string &s)
{
  size_t n = std::min(len - 1, s.size());
  memcpy(dst, s.data(), n);
  dst[n] = 0;
}

std::string Trim(const std::string &s)
{
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\0')) a++;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\0')) b--;
  return s.substr(a, b - a);
}

std::string GetStr(DcmItem *ds, const DcmTagKey &tag)
{
  OFString v;
  if (ds->findAndGetOFStringArray(tag, v).good()) return Trim(std::string(v.c_str(), v.length()));
  return std::string();
}

void GetStr(DcmItem *ds, const DcmTagKey &tag, char *dst, size_t len) { CopyStr(dst, len, GetStr(ds, tag)); }

bool GetF64(DcmItem *ds, const DcmTagKey &tag, double *v, unsigned long n)
{
  for (unsigned long i = 0; i < n; i++) {
    Float64 x;
    if (ds->findAndGetFloat64(tag, x, i).bad() || !std::isfinite(x)) return false;
    v[i] = x;
  }
  return true;
}

/* The bytes of 8-bit or 12-bit-packed pixel data whatever its VR: implicit-VR (ACR-NEMA) files give
 * PixelData the VR OW, for which DCMTK refuses byte access; on a little-endian host the words hold
 * the file's bytes in order. */
bool PixelBytes(DcmElement *pe, Uint8 *&p)
{
  p = NULL;
  if (pe->getUint8Array(p).good() && p) return true;
  const Uint16 one = 1;
  Uint16      *w   = NULL;
  if (*(const Uint8 *)&one != 1 || pe->getUint16Array(w).bad() || !w) return false;
  p = (Uint8 *)w;
  return true;
}

/* Load a file with DCMTK. If DCMTK refuses it, the file has a DICM preamble and its data set is
 * explicit VR little endian, retry once without top-level items: an encoder bug writes sequence
 * items without their sequence (fo-dicom GH364: an item after (0018,5020)); pydicom skips them and
 * so do we, with a warning (*repaired). Any other malformation keeps DCMTK's error. */
OFCondition LoadDcm(const char *path, DcmFileFormat &ff, Uint32 maxlen, bool *repaired)
{
  if (repaired) *repaired = false;
  OFCondition c = ff.loadFile(path, EXS_Unknown, EGL_noChange, maxlen, ERM_autoDetect);
  if (c.good()) return c;
  FILE *fp = fopen(path, "rb");
  if (!fp) return c;
  std::vector<Uint8> d;
  Uint8              b[65536];
  size_t             n;
  while ((n = fread(b, 1, sizeof(b), fp)) > 0 && d.size() < ((size_t)1 << 31)) d.insert(d.end(), b, b + n);
  fclose(fp);
  if (d.size() < 144 || memcmp(d.data() + 128, "DICM", 4)) return c;
  auto U16 = [&](size_t p) { return (unsigned)d[p] | (unsigned)d[p + 1] << 8; };
  auto U32 = [&](size_t p) { return (Uint32)d[p] | (Uint32)d[p + 1] << 8 | (Uint32)d[p + 2] << 16 | (Uint32)d[p + 3] << 24; };
  std::vector<Uint8> out(d.begin(), d.begin() + 132);
  size_t             p = 132, dropped = 0;
  bool               explicit_le = false, ok = true;
  while (p < d.size()) {
    if (p + 8 > d.size()) {
      ok = false;
      break;
    }
    unsigned g = U16(p), e = U16(p + 2);
    if (g == 0xFFFE) {
      Uint32 l = U32(p + 4);
      if (e != 0xE000 || l == 0xFFFFFFFFu || l > d.size() - p - 8) {
        ok = false;
        break;
      }
      p += 8 + (size_t)l; /* the stray item */
      dropped++;
      continue;
    }
    if (g > 0x0002 && !explicit_le) { /* data set encoding from the meta header's TransferSyntaxUID */
      ok = false;
      break;
    }
    char   vr[3] = {(char)d[p + 4], (char)d[p + 5], 0};
    bool   lng   = strstr("OB OW OF SQ UT UN OD OL UC UR OV SV UV", vr) && vr[0] >= 'A';
    size_t h     = lng ? 12 : 8;
    if (p + h > d.size()) {
      ok = false;
      break;
    }
    Uint32 l = lng ? U32(p + 8) : U16(p + 6);
    if (l == 0xFFFFFFFFu) { /* undefined length (sequence or encapsulated pixels): keep the rest */
      out.insert(out.end(), d.begin() + (long)p, d.end());
      p = d.size();
      break;
    }
    if (l > d.size() - p - h) {
      ok = false;
      break;
    }
    if (g == 0x0002 && e == 0x0010) { /* TransferSyntaxUID */
      std::string ts((const char *)d.data() + p + h, l);
      while (!ts.empty() && (ts.back() == 0 || ts.back() == ' ')) ts.pop_back();
      DcmXfer x(ts.c_str());
      explicit_le = x.getXfer() != EXS_Unknown && x.isExplicitVR() && x.isLittleEndian() && x.getXfer() != EXS_DeflatedLittleEndianExplicit;
    }
    out.insert(out.end(), d.begin() + (long)p, d.begin() + (long)(p + h + l));
    p += h + l;
  }
  if (!ok || !dropped) return c;
  DcmFileFormat        f2;
  DcmInputBufferStream is;
  is.setBuffer(out.data(), (offile_off_t)out.size());
  is.setEos();
  const bool ig = dcmIgnoreFileMetaInformationGroupLength.get();
  dcmIgnoreFileMetaInformationGroupLength.set(OFTrue); /* the group length is wrong in such files */
  f2.transferInit();
  OFCondition c2 = f2.read(is, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  f2.transferEnd();
  dcmIgnoreFileMetaInformationGroupLength.set(ig);
  if (c2.bad()) return c;
  /* values were read from the buffer: copy into the caller's object while it is alive */
  ff = f2;
  ff.loadAllDataIntoMemory();
  if (repaired) *repaired = true;
  return EC_Normal;
}

/* One image file's header facts, as needed for grouping and sorting. */
struct SliceInfo {
  std::string path;
  std::string series_uid, modality;
  long        rows = 0, cols = 0, frames = 1;
  long        frame    = 0;     /* frame of a multi-frame file */
  bool        enhanced = false; /* per-frame geometry from functional groups */
  bool        has_rescale = false; /* rescale from functional groups */
  double      slope = 1, inter = 0;
  bool        has_pixels = false;
  bool        has_ipp = false, has_iop = false, has_ps = false;
  double      ipp[3] = {0, 0, 0}, iop[6] = {0, 0, 0, 0, 0, 0}, ps[2] = {0, 0};
  double      dist = 0; /* projection of ipp on the slice normal */
  double      trigger_ms = -1; /* TriggerTime (cine phases), -1 if absent */
  long        temporal   = -1; /* TemporalPositionIdentifier, -1 if absent */
  long        instance   = 0;  /* InstanceNumber (tie-break only) */
  bool        repaired   = false; /* stray top-level items were skipped to parse it */
};

/* A value from the functional groups of an enhanced multi-frame image: the frame's item of
 * PerFrameFunctionalGroupsSequence, else SharedFunctionalGroupsSequence. */
bool FGGet(DcmDataset *ds, long frame, const DcmTagKey &seq, const DcmTagKey &tag, double *v, unsigned long n)
{
  DcmItem *g = NULL, *it = NULL;
  if (ds->findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, g, frame).good() && g && g->findAndGetSequenceItem(seq, it, 0).good() && it && GetF64(it, tag, v, n)) return true;
  g = it = NULL;
  if (ds->findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, g, 0).good() && g && g->findAndGetSequenceItem(seq, it, 0).good() && it && GetF64(it, tag, v, n)) return true;
  return false;
}

/* Load a file's header (large elements stay on disk): one SliceInfo per image, i.e. one per frame of
 * an enhanced multi-frame file with per-frame positions. Returns false if it is not a DICOM image. */
bool LoadHeader(const std::string &path, std::vector<SliceInfo> *out, std::string *why)
{
  SliceInfo  one;
  SliceInfo *si = &one;
  DcmFileFormat ff;
  bool          repaired = false;
  OFCondition   c        = LoadDcm(path.c_str(), ff, 1024, &repaired);
  if (c.bad()) {
    /* DCMTK reports a file that ends inside an element as a stream suspension */
    char  pre[132] = {0};
    FILE *fp       = fopen(path.c_str(), "rb");
    bool  dicm     = fp && fread(pre, 1, 132, fp) == 132 && !memcmp(pre + 128, "DICM", 4);
    if (fp) fclose(fp);
    if (dicm && c == EC_StreamNotifyClient) *why = "truncated (the parser ran past the end of the file: cut short or a malformed element length)";
    else if (dicm) *why = std::string("malformed DICOM (cannot parse: ") + c.text() + ")";
    else *why = std::string("cannot parse: not DICOM (no DICM preamble, no parsable data set: ") + c.text() + ")";
    return false;
  }
  DcmDataset *ds = ff.getDataset();
  si->path       = path;
  si->repaired   = repaired;
  si->series_uid = GetStr(ds, DCM_SeriesInstanceUID);
  si->modality   = GetStr(ds, DCM_Modality);
  Uint16 r = 0, cc = 0;
  if (ds->findAndGetUint16(DCM_Rows, r).bad() || ds->findAndGetUint16(DCM_Columns, cc).bad()) {
    *why = "not an image (no Rows/Columns, no pixel data)";
    return false;
  }
  si->rows = r;
  si->cols = cc;
  Sint32 nf = 1;
  if (ds->findAndGetSint32(DCM_NumberOfFrames, nf).good() && nf > 1) si->frames = nf;
  si->has_pixels = ds->tagExists(DCM_PixelData);
  si->has_ipp    = GetF64(ds, DCM_ImagePositionPatient, si->ipp, 3);
  si->has_iop    = GetF64(ds, DCM_ImageOrientationPatient, si->iop, 6);
  si->has_ps     = GetF64(ds, DCM_PixelSpacing, si->ps, 2);
  GetF64(ds, DCM_TriggerTime, &si->trigger_ms, 1);
  Sint32 tpi = 0;
  if (ds->findAndGetSint32(DCM_TemporalPositionIdentifier, tpi).good()) si->temporal = tpi;
  Sint32 inst = 0;
  if (ds->findAndGetSint32(DCM_InstanceNumber, inst).good()) si->instance = inst;
  DcmSequenceOfItems *pf = NULL;
  if (si->frames > 1 && ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, pf).good() && pf) {
    /* one item per frame; a NumberOfFrames beyond the items is malformed (and must not make us
     * allocate per claimed frame) */
    if ((long)pf->card() != si->frames) {
      *why = "malformed enhanced image (NumberOfFrames " + std::to_string(si->frames) + " but " + std::to_string(pf->card()) + " per-frame functional group items)";
      return false;
    }
    for (long k = 0; k < si->frames; k++) {
      SliceInfo fr = one;
      fr.frame     = k;
      fr.enhanced  = true;
      fr.has_ipp   = FGGet(ds, k, DCM_PlanePositionSequence, DCM_ImagePositionPatient, fr.ipp, 3);
      fr.has_iop   = FGGet(ds, k, DCM_PlaneOrientationSequence, DCM_ImageOrientationPatient, fr.iop, 6) || one.has_iop;
      fr.has_ps    = FGGet(ds, k, DCM_PixelMeasuresSequence, DCM_PixelSpacing, fr.ps, 2) || one.has_ps;
      fr.has_rescale = FGGet(ds, k, DCM_PixelValueTransformationSequence, DCM_RescaleSlope, &fr.slope, 1) && FGGet(ds, k, DCM_PixelValueTransformationSequence, DCM_RescaleIntercept, &fr.inter, 1);
      out->push_back(fr);
    }
  } else out->push_back(one);
  return true;
}

void Normal(const double iop[6], double n[3])
{
  n[0] = iop[1] * iop[5] - iop[2] * iop[4];
  n[1] = iop[2] * iop[3] - iop[0] * iop[5];
  n[2] = iop[0] * iop[4] - iop[1] * iop[3];
}

PetscErrorCode ListFiles(const char *path, std::vector<std::string> *files)
{
  PetscFunctionBeginUser;
  std::error_code ec;
  PetscCheck(fs::exists(path, ec), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: does not exist", path);
  if (fs::is_regular_file(path, ec)) {
    files->push_back(path);
    PetscFunctionReturn(0);
  }
  PetscCheck(fs::is_directory(path, ec), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: not a folder or regular file", path);
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  PetscCheck(!ec, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot list (%s)", path, ec.message().c_str());
  for (; it != end; it.increment(ec)) {
    PetscCheck(!ec, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot list (%s)", path, ec.message().c_str());
    if (it->is_regular_file(ec)) {
      std::string name = it->path().filename().string();
      if (name == "DICOMDIR" || (!name.empty() && name[0] == '.')) continue; /* index / hidden files */
      files->push_back(it->path().string());
    }
  }
  std::sort(files->begin(), files->end()); /* deterministic scan order (not the slice order) */
  PetscCheck(!files->empty(), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: is empty", path);
  PetscFunctionReturn(0);
}

/* Warnings go to meta (the caller decides how to report them); without meta, or once meta is full,
 * they are logged directly. */
void AddWarn(HtDicomMeta *meta, const std::string &w)
{
  if (meta && meta->nwarnings < HT_DICOM_MAX_WARN) CopyStr(meta->warnings[meta->nwarnings++], sizeof(meta->warnings[0]), w);
  else HtLog_Warn("%s", w.c_str());
}

/* Scan files into series; skipped non-DICOM files are counted and reported. */
PetscErrorCode GroupFiles(const char *path, const std::vector<std::string> &files, std::map<std::string, std::vector<SliceInfo>> *groups, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  RegisterCodecs();
  size_t      nskip = 0;
  std::string first_skip, first_why;
  for (const auto &f : files) {
    std::vector<SliceInfo> v;
    std::string            why;
    if (LoadHeader(f, &v, &why))
      for (auto &si : v) (*groups)[si.series_uid].push_back(si);
    else {
      if (!nskip) {
        first_skip = f;
        first_why  = why;
      }
      nskip++;
    }
  }
  if (groups->empty()) {
    if (files.size() == 1) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s", files[0].c_str(), first_why.c_str());
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "folder %s: no DICOM image among %zu files (e.g. %s: %s)", path, files.size(), first_skip.c_str(), first_why.c_str());
  }
  if (nskip) AddWarn(meta, "folder " + std::string(path) + ": skipped " + std::to_string(nskip) + " non-DICOM/non-image file(s), e.g. " + first_skip);
  /* over-anonymized exports may blank SeriesInstanceUID: those files form one unnamed series */
  auto it = groups->find("");
  if (it != groups->end()) AddWarn(meta, "folder " + std::string(path) + ": " + std::to_string(it->second.size()) + " image(s) without SeriesInstanceUID grouped as one unnamed series");
  PetscFunctionReturn(0);
}

PetscErrorCode ScanFolder(const char *path, PetscInt *nseries, HtDicomSeriesInfo **list)
{
  PetscFunctionBeginUser;
  std::vector<std::string>                       files;
  std::map<std::string, std::vector<SliceInfo>> groups;
  PetscCall(ListFiles(path, &files));
  PetscCall(GroupFiles(path, files, &groups, NULL));
  std::vector<HtDicomSeriesInfo> out;
  for (auto &g : groups) {
    HtDicomSeriesInfo info;
    memset(&info, 0, sizeof(info));
    const SliceInfo &s0 = g.second[0];
    CopyStr(info.series_uid, sizeof(info.series_uid), g.first);
    CopyStr(info.modality, sizeof(info.modality), s0.modality);
    CopyStr(info.first_file, sizeof(info.first_file), s0.path);
    std::vector<std::string> paths;
    for (auto &sl : g.second) paths.push_back(sl.path);
    std::sort(paths.begin(), paths.end());
    info.nfiles  = (PetscInt)(std::unique(paths.begin(), paths.end()) - paths.begin());
    info.rows    = s0.rows;
    info.cols    = s0.cols;
    info.nframes = s0.frames;
    if (s0.has_iop) {
      double n[3];
      Normal(s0.iop, n);
      std::vector<double> d;
      for (auto &s : g.second)
        if (s.has_ipp) d.push_back(s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2]);
      std::sort(d.begin(), d.end());
      PetscInt np = 0;
      for (size_t i = 0; i < d.size(); i++)
        if (i == 0 || d[i] - d[i - 1] > 1e-3) np++;
      info.npositions = np;
      info.nphases    = np > 0 && (PetscInt)d.size() % np == 0 ? (PetscInt)d.size() / np : 0;
    }
    out.push_back(info);
  }
  std::stable_sort(out.begin(), out.end(), [](const HtDicomSeriesInfo &a, const HtDicomSeriesInfo &b) { return a.nfiles > b.nfiles; });
  *nseries = (PetscInt)out.size();
  PetscCall(PetscMalloc1(out.size(), list));
  for (size_t i = 0; i < out.size(); i++) (*list)[i] = out[i];
  PetscFunctionReturn(0);
}

void ReadMetaStrings(DcmDataset *ds, HtDicomMeta *m)
{
  GetStr(ds, DCM_PatientName, m->patient_name, sizeof(m->patient_name));
  GetStr(ds, DCM_PatientID, m->patient_id, sizeof(m->patient_id));
  GetStr(ds, DCM_IssuerOfPatientID, m->issuer_of_patient_id, sizeof(m->issuer_of_patient_id));
  GetStr(ds, DCM_RETIRED_OtherPatientIDs, m->other_patient_ids, sizeof(m->other_patient_ids));
  GetStr(ds, DCM_PatientBirthDate, m->patient_birth_date, sizeof(m->patient_birth_date));
  GetStr(ds, DCM_PatientSex, m->patient_sex, sizeof(m->patient_sex));
  GetStr(ds, DCM_PatientAge, m->patient_age, sizeof(m->patient_age));
  GetStr(ds, DCM_StudyDate, m->study_date, sizeof(m->study_date));
  GetStr(ds, DCM_StudyTime, m->study_time, sizeof(m->study_time));
  GetStr(ds, DCM_SeriesDate, m->series_date, sizeof(m->series_date));
  GetStr(ds, DCM_SeriesTime, m->series_time, sizeof(m->series_time));
  GetStr(ds, DCM_AcquisitionDate, m->acquisition_date, sizeof(m->acquisition_date));
  GetStr(ds, DCM_ContentDate, m->content_date, sizeof(m->content_date));
  GetStr(ds, DCM_AccessionNumber, m->accession_number, sizeof(m->accession_number));
  GetStr(ds, DCM_InstitutionName, m->institution_name, sizeof(m->institution_name));
  GetStr(ds, DCM_InstitutionAddress, m->institution_address, sizeof(m->institution_address));
  GetStr(ds, DCM_ReferringPhysicianName, m->referring_physician_name, sizeof(m->referring_physician_name));
  GetStr(ds, DCM_PerformingPhysicianName, m->performing_physician_name, sizeof(m->performing_physician_name));
  GetStr(ds, DCM_OperatorsName, m->operators_name, sizeof(m->operators_name));
  GetStr(ds, DCM_StationName, m->station_name, sizeof(m->station_name));
  GetStr(ds, DCM_DeviceSerialNumber, m->device_serial_number, sizeof(m->device_serial_number));
  GetStr(ds, DCM_StudyDescription, m->study_description, sizeof(m->study_description));
  GetStr(ds, DCM_SeriesDescription, m->series_description, sizeof(m->series_description));
  GetStr(ds, DCM_ProtocolName, m->protocol_name, sizeof(m->protocol_name));
  GetStr(ds, DCM_StudyID, m->study_id, sizeof(m->study_id));
  GetStr(ds, DCM_StudyInstanceUID, m->study_instance_uid, sizeof(m->study_instance_uid));
  GetStr(ds, DCM_SeriesInstanceUID, m->series_instance_uid, sizeof(m->series_instance_uid));
  GetStr(ds, DCM_FrameOfReferenceUID, m->frame_of_reference_uid, sizeof(m->frame_of_reference_uid));
  GetStr(ds, DCM_Modality, m->modality, sizeof(m->modality));
  GetStr(ds, DCM_Manufacturer, m->manufacturer, sizeof(m->manufacturer));
  GetStr(ds, DCM_ManufacturerModelName, m->manufacturer_model, sizeof(m->manufacturer_model));
  GetStr(ds, DCM_SOPClassUID, m->sop_class_uid, sizeof(m->sop_class_uid));
  GetStr(ds, DCM_BurnedInAnnotation, m->burned_in_annotation, sizeof(m->burned_in_annotation));
  GetStr(ds, DCM_BodyPartExamined, m->body_part, sizeof(m->body_part));
  double v;
  if (GetF64(ds, DCM_KVP, &v, 1)) m->kvp = v;
  if (GetF64(ds, DCM_SliceThickness, &v, 1)) m->slice_thickness_mm = v;
  Uint16 r = 0, c = 0;
  if (ds->findAndGetUint16(DCM_Rows, r).good()) m->rows = r;
  if (ds->findAndGetUint16(DCM_Columns, c).good()) m->cols = c;
}

/* ---- JPEG 2000 (DCMTK 3.6.7 has no JPEG 2000 codec): decode the frame's codestream with OpenJPEG ---- */
struct MemStream {
  const Uint8 *p;
  size_t       len, pos;
};
OPJ_SIZE_T MemRead(void *buf, OPJ_SIZE_T n, void *u)
{
  MemStream *m = (MemStream *)u;
  if (m->pos >= m->len) return (OPJ_SIZE_T)-1;
  size_t k = std::min((size_t)n, m->len - m->pos);
  memcpy(buf, m->p + m->pos, k);
  m->pos += k;
  return k;
}
OPJ_OFF_T MemSkip(OPJ_OFF_T n, void *u)
{
  MemStream *m = (MemStream *)u;
  if (n < 0) {
    if ((size_t)(-n) > m->pos) n = -(OPJ_OFF_T)m->pos;
  } else if ((size_t)n > m->len - m->pos) n = (OPJ_OFF_T)(m->len - m->pos);
  m->pos += n;
  return n;
}
OPJ_BOOL MemSeek(OPJ_OFF_T n, void *u)
{
  MemStream *m = (MemStream *)u;
  if (n < 0 || (size_t)n > m->len) return OPJ_FALSE;
  m->pos = (size_t)n;
  return OPJ_TRUE;
}
void OpjQuiet(const char *, void *) {}

/* Decode frame `frame` (of nframes) of an encapsulated JPEG 2000 PixelData into stored values.
 * Signedness follows PixelRepresentation, not the codestream (encoders disagree on it). Frames:
 * one fragment per frame, else the Basic Offset Table, else (one frame) all fragments. */
PetscErrorCode DecodeJ2K(const char *f, DcmDataset *ds, size_t npix, long frame, long nframes, bool pixrep_signed, unsigned bits_stored, std::vector<double> *stored)
{
  PetscFunctionBeginUser;
  DcmElement *e = NULL;
  PetscCheck(ds->findAndGetElement(DCM_PixelData, e).good() && e && e->ident() == EVR_PixelData, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no pixel data", f);
  DcmPixelData     *pd  = (DcmPixelData *)e;
  DcmPixelSequence *seq = NULL;
  PetscCheck(pd->getEncapsulatedRepresentation(ds->getOriginalXfer(), NULL, seq).good() && seq, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: JPEG 2000 pixel data is not encapsulated", f);
  std::vector<Uint8> cs;
  const unsigned long nfrag = seq->card() > 0 ? seq->card() - 1 : 0; /* item 0 is the offset table */
  unsigned long       q0 = 1, q1 = seq->card();
  if (nframes > 1) {
    if (nfrag == (unsigned long)nframes) q0 = (unsigned long)frame + 1, q1 = q0 + 1;
    else {
      /* Basic Offset Table: byte offsets of each frame's first fragment, from the first fragment */
      DcmPixelItem *bot = NULL;
      Uint8        *tb  = NULL;
      PetscCheck(seq->getItem(bot, 0).good() && bot && bot->getLength() == 4 * (Uint32)nframes && bot->getUint8Array(tb).good() && tb, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: multi-frame JPEG 2000 with %lu fragments for %ld frames and no usable offset table", f, nfrag, nframes);
      auto   Off = [&](long k) { return (Uint32)tb[4 * k] | (Uint32)tb[4 * k + 1] << 8 | (Uint32)tb[4 * k + 2] << 16 | (Uint32)tb[4 * k + 3] << 24; };
      Uint32 a = Off(frame), b = frame + 1 < nframes ? Off(frame + 1) : 0xFFFFFFFFu, pos = 0;
      q0 = q1 = 0;
      for (unsigned long q = 1; q < seq->card(); q++) {
        DcmPixelItem *it = NULL;
        PetscCheck(seq->getItem(it, q).good() && it, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: JPEG 2000 fragment %lu unreadable", f, q);
        if (pos == a) q0 = q;
        if (pos == b) q1 = q;
        pos += 8 + it->getLength(); /* item tag + length + value */
      }
      if (!q1) q1 = seq->card();
      PetscCheck(q0 && q1 > q0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: JPEG 2000 offset table does not match the fragments (frame %ld)", f, frame);
    }
  }
  for (unsigned long q = q0; q < q1; q++) {
    DcmPixelItem *it = NULL;
    Uint8        *b  = NULL;
    PetscCheck(seq->getItem(it, q).good() && it, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: JPEG 2000 fragment %lu unreadable", f, q);
    Uint32 l = it->getLength();
    if (l && it->getUint8Array(b).good() && b) cs.insert(cs.end(), b, b + l);
  }
  PetscCheck(cs.size() > 4, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: empty JPEG 2000 pixel data", f);
  /* raw codestream (FF 4F FF 51) or JP2 file format */
  OPJ_CODEC_FORMAT fmt = (cs[0] == 0xFF && cs[1] == 0x4F) ? OPJ_CODEC_J2K : OPJ_CODEC_JP2;
  MemStream        ms  = {cs.data(), cs.size(), 0};
  opj_stream_t    *st  = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  opj_codec_t     *cod = opj_create_decompress(fmt);
  opj_image_t     *img = NULL;
  PetscCheck(st && cod, PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: OpenJPEG init failed", f);
  opj_stream_set_user_data(st, &ms, NULL);
  opj_stream_set_user_data_length(st, cs.size());
  opj_stream_set_read_function(st, MemRead);
  opj_stream_set_skip_function(st, MemSkip);
  opj_stream_set_seek_function(st, MemSeek);
  opj_set_error_handler(cod, OpjQuiet, NULL);
  opj_set_warning_handler(cod, OpjQuiet, NULL);
  opj_set_info_handler(cod, OpjQuiet, NULL);
  opj_dparameters_t par;
  opj_set_default_decoder_parameters(&par);
  bool ok = opj_setup_decoder(cod, &par) && opj_read_header(st, cod, &img) && opj_decode(cod, st, img) && opj_end_decompress(cod, st);
  bool shape = ok && img && img->numcomps == 1 && img->comps[0].data && (size_t)img->comps[0].w * img->comps[0].h == npix;
  if (shape) {
    stored->resize(npix);
    unsigned prec = img->comps[0].prec ? img->comps[0].prec : bits_stored;
    if (prec > 31) prec = 31;
    const long long span = 1LL << prec;
    for (size_t q = 0; q < npix; q++) {
      long long v = img->comps[0].data[q];
      if (pixrep_signed && !img->comps[0].sgnd && v >= span / 2) v -= span; /* codestream says unsigned */
      if (!pixrep_signed && v < 0) v += span;                                 /* codestream says signed */
      (*stored)[q] = (double)v;
    }
  }
  if (img) opj_image_destroy(img);
  opj_destroy_codec(cod);
  opj_stream_destroy(st);
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: JPEG 2000 decode failed (OpenJPEG)", f);
  PetscCheck(shape, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: JPEG 2000 image is not one grey component of Rows x Columns", f);
  PetscFunctionReturn(0);
}

/* The last fully loaded (and decompressed) file: the frames of a multi-frame file are read in a row. */
struct FileCache {
  std::string                    path;
  std::unique_ptr<DcmFileFormat> ff;
  bool                           decoded = false;
  std::vector<float>             lut; /* stored word -> rescaled value */
  double                         lut_slope = 0, lut_inter = 0;
  unsigned                       lut_shift = 0, lut_mask = 0, lut_pixrep = 0;
};

/* Decode one slice (one frame) into out (cols*rows floats, HU/rescaled). */
PetscErrorCode DecodeSlice(const SliceInfo &si, FileCache &fc, float *out, double *slope_out, double *inter_out, std::string *sop_uid, std::string *ts_uid, HtDicomMeta *meta_first)
{
  PetscFunctionBeginUser;
  const char *f = si.path.c_str();
  OFCondition c;
  if (fc.path != si.path || !fc.ff) {
    fc.path.clear();
    fc.ff.reset(new DcmFileFormat);
    fc.decoded = false;
    c          = LoadDcm(f, *fc.ff, DCM_MaxReadLength, NULL);
    if (c.bad()) {
      /* DCMTK reports a short file as a premature end of stream */
      if (c == EC_StreamNotifyClient || strstr(c.text(), "premature") || strstr(c.text(), "end of stream"))
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: truncated (premature end of file while reading)", f);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: cannot parse DICOM (%s)", f, c.text());
    }
    fc.path = si.path;
  }
  DcmDataset *ds = fc.ff->getDataset();
  if (meta_first) ReadMetaStrings(ds, meta_first);
  *sop_uid = GetStr(ds, DCM_SOPInstanceUID);
  *ts_uid  = DcmXfer(ds->getOriginalXfer()).getXferID();

  Uint16 spp = 1, bits_alloc = 0, bits_stored = 0, high_bit = 0, pixrep = 0;
  ds->findAndGetUint16(DCM_SamplesPerPixel, spp);
  PetscCheck(spp == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %u samples per pixel (colour image), a grey-scale CT/MR image is required", f, (unsigned)spp);
  PetscCheck(ds->findAndGetUint16(DCM_BitsAllocated, bits_alloc).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: BitsAllocated missing", f);
  if (ds->findAndGetUint16(DCM_BitsStored, bits_stored).bad()) bits_stored = bits_alloc;
  if (ds->findAndGetUint16(DCM_HighBit, high_bit).bad()) high_bit = (Uint16)(bits_stored - 1);
  ds->findAndGetUint16(DCM_PixelRepresentation, pixrep);
  PetscCheck(bits_alloc == 8 || bits_alloc == 12 || bits_alloc == 16, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: BitsAllocated %u not supported (8, 12 packed, 16)", f, (unsigned)bits_alloc);
  PetscCheck(bits_stored >= 1 && bits_stored <= bits_alloc && high_bit + 1 >= bits_stored && high_bit < bits_alloc, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: inconsistent BitsStored/HighBit", f);
  PetscCheck(ds->tagExists(DCM_PixelData), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no pixel data", f);

  E_TransferSyntax xfer = ds->getOriginalXfer();
  const size_t     npix = (size_t)si.rows * (size_t)si.cols;
  double slope = 1, inter = 0;
  if (si.has_rescale) {
    slope = si.slope;
    inter = si.inter;
  } else {
    if (!GetF64(ds, DCM_RescaleSlope, &slope, 1)) slope = 1;
    if (!GetF64(ds, DCM_RescaleIntercept, &inter, 1)) inter = 0;
  }
  *slope_out = slope;
  *inter_out = inter;
  if (xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000) {
    std::vector<double> v;
    PetscCall(DecodeJ2K(f, ds, npix, si.frame, si.frames, pixrep != 0, bits_stored, &v));
    for (size_t q = 0; q < npix; q++) out[q] = (float)(v[q] * slope + inter);
    PetscFunctionReturn(0);
  }
  if (DcmXfer(xfer).isEncapsulated() && !fc.decoded) {
    c = ds->chooseRepresentation(EXS_LittleEndianExplicit, NULL);
    PetscCheck(c.good() && ds->canWriteXfer(EXS_LittleEndianExplicit), PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: cannot decode compressed pixel data (transfer syntax %s): %s", f, DcmXfer(xfer).getXferName(), c.text());
    fc.decoded = true;
  }
  DcmElement *pe = NULL;
  PetscCheck(ds->findAndGetElement(DCM_PixelData, pe).good() && pe, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no pixel data", f);
  const size_t need = bits_alloc == 12 ? (npix * (size_t)si.frames * 3 + 1) / 2 : npix * (bits_alloc / 8) * (size_t)si.frames;
  const size_t off  = npix * (size_t)si.frame;
  Uint32       have = pe->getLength();
  PetscCheck(have >= need, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: truncated pixel data (%lu of %zu bytes)", f, (unsigned long)have, need);
  const unsigned shift = (unsigned)(high_bit + 1 - bits_stored);
  const unsigned mask  = (bits_stored >= 32) ? 0xffffffffu : ((1u << bits_stored) - 1u);
  const unsigned sign  = 1u << (bits_stored - 1);
  if (meta_first) {
    /* PixelPaddingValue (US or SS), interpreted like a stored pixel value */
    Uint16 pu = 0;
    Sint16 ps = 0;
    bool   have_pad = false;
    if (ds->findAndGetUint16(DCM_PixelPaddingValue, pu).good()) have_pad = true;
    else if (ds->findAndGetSint16(DCM_PixelPaddingValue, ps).good()) {
      pu       = (Uint16)ps;
      have_pad = true;
    }
    if (have_pad) {
      unsigned u              = (unsigned)pu & mask;
      double   sv             = (pixrep && (u & sign)) ? (double)u - (double)(mask + 1u) : (double)u;
      meta_first->has_padding = PETSC_TRUE;
      meta_first->padding_hu  = (PetscReal)(float)(sv * slope + inter);
    }
  }
  /* stored value -> rescaled value through a table (one entry per possible stored word), kept across
   * the slices of a series while the pixel format and rescale do not change */
  const unsigned nlut = bits_alloc == 8 ? 256u : bits_alloc == 12 ? 4096u : 65536u;
  if (fc.lut.size() != nlut || fc.lut_slope != slope || fc.lut_inter != inter || fc.lut_shift != shift || fc.lut_mask != mask || fc.lut_pixrep != pixrep) {
    fc.lut.resize(nlut);
    for (unsigned raw = 0; raw < nlut; raw++) {
      unsigned u   = (raw >> shift) & mask;
      double   sv  = (pixrep && (u & sign)) ? (double)u - (double)(mask + 1u) : (double)u;
      fc.lut[raw]  = (float)(sv * slope + inter);
    }
    fc.lut_slope = slope, fc.lut_inter = inter, fc.lut_shift = shift, fc.lut_mask = mask, fc.lut_pixrep = pixrep;
  }
  const float *lut = fc.lut.data();
  if (bits_alloc == 16) {
    Uint16 *p = NULL;
    PetscCheck(pe->getUint16Array(p).good() && p, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot access 16-bit pixel data", f);
    for (size_t q = 0; q < npix; q++) out[q] = lut[p[off + q]];
  } else if (bits_alloc == 8) {
    Uint8 *p = NULL;
    PetscCheck(PixelBytes(pe, p), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot access 8-bit pixel data", f);
    for (size_t q = 0; q < npix; q++) out[q] = lut[p[off + q]];
  } else { /* 12 bits packed (ACR-NEMA): two pixels in three bytes */
    Uint8 *p = NULL;
    PetscCheck(PixelBytes(pe, p), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot access 12-bit packed pixel data", f);
    for (size_t q = 0; q < npix; q++) {
      size_t       g = off + q;
      const Uint8 *b = p + (g / 2) * 3;
      out[q]         = lut[(g & 1) ? ((unsigned)b[1] >> 4) | ((unsigned)b[2] << 4) : (unsigned)b[0] | (((unsigned)b[1] & 0x0F) << 8)];
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ReadSlices(std::vector<SliceInfo> &sl, const HtDicomOptions *opt, HtVolume *vol, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  const SliceInfo s0 = sl[0]; /* a copy: sl is re-ordered below */
  /* every file must carry a complete, consistent geometry */
  for (auto &s : sl) {
    const char *f = s.path.c_str();
    PetscCheck(s.frames == 1 || s.enhanced, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: multi-frame image (%ld frames) without per-frame positions (functional groups): frames may be time, not slices; no 3D volume", f, s.frames);
    PetscCheck(s.has_pixels, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no pixel data", f);
    PetscCheck(s.has_ipp, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: ImagePositionPatient missing or malformed", f);
    PetscCheck(s.has_iop, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: ImageOrientationPatient missing or malformed", f);
    PetscCheck(s.has_ps && s.ps[0] > 0 && s.ps[1] > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: PixelSpacing missing or not positive", f);
    PetscCheck(s.rows == s0.rows && s.cols == s0.cols, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: %ld rows x %ld columns differ from %ld x %ld in %s", f, s.rows, s.cols, s0.rows, s0.cols, s0.path.c_str());
    for (int q = 0; q < 6; q++)
      PetscCheck(std::fabs(s.iop[q] - s0.iop[q]) < 1e-4, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: mixed orientations in one series (ImageOrientationPatient differs from %s)", f, s0.path.c_str());
    for (int q = 0; q < 2; q++)
      PetscCheck(std::fabs(s.ps[q] - s0.ps[q]) < 1e-4 * s0.ps[q], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: PixelSpacing differs from %s", f, s0.path.c_str());
  }
  /* orthonormal row/column cosines */
  double r[3] = {s0.iop[0], s0.iop[1], s0.iop[2]}, cdir[3] = {s0.iop[3], s0.iop[4], s0.iop[5]}, n[3];
  double nr = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]), nc = std::sqrt(cdir[0] * cdir[0] + cdir[1] * cdir[1] + cdir[2] * cdir[2]);
  double dot = r[0] * cdir[0] + r[1] * cdir[1] + r[2] * cdir[2];
  PetscCheck(std::fabs(nr - 1) < 1e-3 && std::fabs(nc - 1) < 1e-3 && std::fabs(dot) < 1e-3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: ImageOrientationPatient is not two orthonormal direction cosines", s0.path.c_str());
  for (int q = 0; q < 3; q++) {
    r[q] /= nr;
    cdir[q] /= nc;
  }
  Normal(s0.iop, n);
  double nn = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  for (int q = 0; q < 3; q++) n[q] /= nn;
  for (auto &s : sl) s.dist = s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2];
  std::stable_sort(sl.begin(), sl.end(), [](const SliceInfo &a, const SliceInfo &b) { return a.dist < b.dist; });

  const size_t        ns   = sl.size();
  double              step = 0;
  bool                irregular = false, tilted = false;
  std::vector<double> offr(ns, 0.0), offc(ns, 0.0); /* in-plane offsets of the slice origins (mm) */
  if (ns > 1) {
    std::vector<double> gaps;
    for (size_t k = 1; k < ns; k++) gaps.push_back(sl[k].dist - sl[k - 1].dist);
    std::vector<double> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    double med = sorted[sorted.size() / 2];
    if (sorted.size() % 2 == 0) med = 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
    for (size_t k = 1; k < ns; k++) {
      double g = gaps[k - 1];
      if (g < 1e-3 || (med > 0 && g < 1e-3 * med)) {
        size_t cnt = 0;
        for (auto &s : sl)
          if (std::fabs(s.dist - sl[k].dist) < 1e-3) cnt++;
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: duplicate slice position (same ImagePositionPatient as %s; %zu images at this position: a multi-phase (cine) series, read one phase with HtDicom_ReadSeriesPhase, or duplicated files)", sl[k].path.c_str(), sl[k - 1].path.c_str(), cnt);
      }
    }
    for (size_t k = 1; k < ns; k++) {
      double g = gaps[k - 1];
      PetscCheck(g <= 1.5 * med, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: missing slice (gap %.4g mm after %s exceeds 1.5 x median step %.4g mm)", sl[k].path.c_str(), g, sl[k - 1].path.c_str(), med);
    }
    if (sorted.back() - sorted.front() > 0.01 * med + 1e-3) {
      PetscCheck(!opt->strict, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: irregular slice spacing (steps %.4g..%.4g mm) refused under --strict", s0.path.c_str(), sorted.front(), sorted.back());
      irregular = true;
      step      = med;
    } else step = (sl[ns - 1].dist - sl[0].dist) / (double)(ns - 1);
    /* slice origins displaced within the plane (gantry tilt): the stack is sheared */
    double along = sl[ns - 1].dist - sl[0].dist, maxoff = 0;
    for (size_t k = 0; k < ns; k++) {
      double d[3];
      for (int q = 0; q < 3; q++) d[q] = sl[k].ipp[q] - sl[0].ipp[q];
      offr[k] = d[0] * r[0] + d[1] * r[1] + d[2] * r[2];
      offc[k] = d[0] * cdir[0] + d[1] * cdir[1] + d[2] * cdir[2];
      maxoff  = std::max(maxoff, std::sqrt(offr[k] * offr[k] + offc[k] * offc[k]));
    }
    if (maxoff > 0.01 * std::fabs(along) + 1e-3) {
      double deg = std::atan2(maxoff, std::fabs(along)) * 180 / PETSC_PI;
      PetscCheck(!opt->strict, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: slice origins sheared by %.3g deg (gantry tilt) refused under --strict", s0.path.c_str(), deg);
      tilted = true;
      char w[256];
      snprintf(w, sizeof(w), "series: gantry tilt (slice origins sheared by %.3g deg, %.3g mm in-plane over %.4g mm): slices shifted in-plane onto an orthogonal grid", deg, maxoff, along);
      AddWarn(meta, w);
    }
  } else {
    DcmFileFormat ff;
    double        th = 0;
    if (LoadDcm(s0.path.c_str(), ff, 1024, NULL).good() && GetF64(ff.getDataset(), DCM_SliceThickness, &th, 1) && th > 0) step = th;
    else step = 1.0;
    AddWarn(meta, "series: a single slice; the slice step is taken from SliceThickness (or 1 mm)");
  }
  /* output slices: the source slices, or a uniform resampling of [first, last] along the normal */
  size_t nout = ns;
  if (irregular) {
    double len = sl[ns - 1].dist - sl[0].dist;
    nout       = (size_t)std::llround(len / step) + 1;
    step       = len / (double)(nout - 1);
    char w[256];
    snprintf(w, sizeof(w), "series: irregular slice spacing; %zu slices linearly resampled to %zu at a uniform %.4g mm", ns, nout, step);
    AddWarn(meta, w);
  }
  const bool resample = irregular || tilted;

  HtGrid g;
  memset(&g, 0, sizeof(g));
  g.n[0] = s0.cols;
  g.n[1] = s0.rows;
  g.n[2] = (PetscInt)nout;
  for (int q = 0; q < 3; q++) {
    g.origin[q]  = sl[0].ipp[q];
    g.dir[q]     = r[q];
    g.dir[3 + q] = cdir[q];
    g.dir[6 + q] = n[q];
  }
  g.spacing[0] = s0.ps[1]; /* PixelSpacing = (row spacing, column spacing): i steps along a row = column spacing */
  g.spacing[1] = s0.ps[0];
  g.spacing[2] = step;
  PetscCall(HtVolume_Alloc(vol, &g));
  std::vector<float> srcbuf;
  if (resample) srcbuf.resize(ns * (size_t)g.n[0] * (size_t)g.n[1]);
  float *dst = resample ? srcbuf.data() : vol->val;

  std::vector<std::string> sops(ns);
  double                   slope0 = 1, inter0 = 0;
  bool                     varying = false;
  std::string              ts;
  HtDicomMeta              tmp;
  HtDicomMeta             *mfirst = meta ? meta : &tmp;
  memset(&tmp, 0, sizeof(tmp));
  const size_t             npix   = (size_t)g.n[0] * (size_t)g.n[1];
  FileCache                cache;
  for (size_t k = 0; k < ns; k++) {
    double      slope, inter;
    std::string sop, tsk;
    PetscErrorCode ierr = DecodeSlice(sl[k], cache, dst + k * npix, &slope, &inter, &sop, &tsk, k == 0 ? mfirst : NULL);
    if (ierr) {
      PetscCall(HtVolume_Free(vol));
      PetscCall(ierr);
    }
    if (k == 0) {
      slope0 = slope;
      inter0 = inter;
      ts     = tsk;
    } else if (slope != slope0 || inter != inter0) varying = true;
    sops[k] = sop;
  }
  if (varying) AddWarn(meta, "series: RescaleSlope/Intercept vary between slices (applied per slice)");
  for (auto &sx : sl)
    if (sx.repaired) {
      AddWarn(meta, "file " + sx.path + ": malformed (sequence item outside a sequence), parsed without it");
      break;
    }
  if (resample) {
    /* fill for samples outside a shifted slice: the padding value, else the series minimum */
    float fill = mfirst->has_padding ? (float)mfirst->padding_hu : *std::min_element(srcbuf.begin(), srcbuf.end());
    const long   nx = g.n[0], ny = g.n[1];
    const double dx = g.spacing[0], dy = g.spacing[1];
    size_t       nfill = 0;
    auto         Sample = [&](size_t j, double x, double y) -> float { /* bilinear in slice j at in-plane mm (x, y) from the grid origin */
      double u = (x - offr[j]) / dx, v = (y - offc[j]) / dy;
      if (u < -1e-6 || v < -1e-6 || u > nx - 1 + 1e-6 || v > ny - 1 + 1e-6) {
        nfill++;
        return fill;
      }
      u = std::min(std::max(u, 0.0), (double)(nx - 1));
      v = std::min(std::max(v, 0.0), (double)(ny - 1));
      long   i0 = std::min((long)u, nx - 2 >= 0 ? nx - 2 : 0), j0 = std::min((long)v, ny - 2 >= 0 ? ny - 2 : 0);
      long   i1 = std::min(i0 + 1, nx - 1), j1 = std::min(j0 + 1, ny - 1);
      double fu = u - i0, fv = v - j0;
      const float *S = srcbuf.data() + j * npix;
      return (float)((1 - fv) * ((1 - fu) * S[j0 * nx + i0] + fu * S[j0 * nx + i1]) + fv * ((1 - fu) * S[j1 * nx + i0] + fu * S[j1 * nx + i1]));
    };
    size_t j = 0;
    for (size_t k = 0; k < nout; k++) {
      double t = sl[0].dist + (double)k * step; /* target distance along the normal */
      while (j + 2 < ns && sl[j + 1].dist <= t) j++;
      double w = ns > 1 ? (t - sl[j].dist) / (sl[j + 1].dist - sl[j].dist) : 0;
      w        = std::min(std::max(w, 0.0), 1.0);
      float *D = vol->val + k * npix;
      for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
          double px = x * dx, py = y * dy;
          float  a  = Sample(j, px, py);
          float  b  = w > 0 ? Sample(j + 1, px, py) : a;
          D[y * nx + x] = (float)((1 - w) * a + w * b);
        }
    }
    if (nfill) {
      char msg[256];
      snprintf(msg, sizeof(msg), "series: %zu samples outside the shifted slices filled with %g", nfill, (double)fill);
      AddWarn(meta, msg);
    }
  }
  if (meta) {
    /* 8 independent lanes: the compiler vectorises this (a single running min/max does not) */
    float        l8[8], h8[8];
    const size_t nv = HtGrid_Count(&g), n8 = nv / 8 * 8;
    for (int a = 0; a < 8; a++) l8[a] = h8[a] = vol->val[0];
    for (size_t q = 0; q < n8; q += 8)
      for (int a = 0; a < 8; a++) {
        float v = vol->val[q + a];
        l8[a]   = v < l8[a] ? v : l8[a];
        h8[a]   = v > h8[a] ? v : h8[a];
      }
    for (size_t q = n8; q < nv; q++) {
      l8[0] = std::min(l8[0], vol->val[q]);
      h8[0] = std::max(h8[0], vol->val[q]);
    }
    float lo = l8[0], hi = h8[0];
    for (int a = 1; a < 8; a++) {
      lo = std::min(lo, l8[a]);
      hi = std::max(hi, h8[a]);
    }
    meta->hu_min            = lo;
    meta->hu_max            = hi;
    meta->rescale_slope     = slope0;
    meta->rescale_intercept = inter0;
    meta->slice_step_mm     = step;
    meta->grid              = g;
    CopyStr(meta->transfer_syntax_uid, sizeof(meta->transfer_syntax_uid), ts);
    PetscCall(PetscCalloc1(ns, &meta->sop_instance_uid));
    meta->nslices = (PetscInt)ns;
    for (size_t k = 0; k < ns; k++) CopyStr(meta->sop_instance_uid[k], HT_DICOM_UID_LEN, sops[k]);
  }
  PetscFunctionReturn(0);
}

/* Keep the phase-th image (by TriggerTime, then InstanceNumber) of every slice position. */
PetscErrorCode SelectPhase(const char *path, std::vector<SliceInfo> &sl, PetscInt phase, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  for (auto &s : sl) {
    PetscCheck(s.has_ipp && s.has_iop, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: ImagePositionPatient/ImageOrientationPatient missing", s.path.c_str());
    double n[3];
    Normal(sl[0].iop, n);
    s.dist = s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2];
  }
  std::stable_sort(sl.begin(), sl.end(), [](const SliceInfo &a, const SliceInfo &b) {
    if (std::fabs(a.dist - b.dist) > 1e-3) return a.dist < b.dist;
    if (a.trigger_ms != b.trigger_ms) return a.trigger_ms < b.trigger_ms;
    if (a.temporal != b.temporal) return a.temporal < b.temporal;
    return a.instance < b.instance;
  });
  std::vector<SliceInfo> out;
  size_t                 per = 0;
  for (size_t a = 0; a < sl.size();) {
    size_t b = a + 1;
    while (b < sl.size() && std::fabs(sl[b].dist - sl[a].dist) <= 1e-3) b++;
    if (a == 0) per = b - a;
    PetscCheck(b - a == per, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: %zu images at this position but %zu at the first: phases incomplete", sl[a].path.c_str(), b - a, per);
    PetscCheck(phase >= 0 && (size_t)phase < per, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: phase %" PetscInt_FMT " requested, the series has %zu phase(s)", path, phase, per);
    out.push_back(sl[a + (size_t)phase]);
    a = b;
  }
  char w[256];
  snprintf(w, sizeof(w), "series: phase %" PetscInt_FMT " of %zu at each of %zu positions", phase, per, out.size());
  AddWarn(meta, w);
  sl.swap(out);
  PetscFunctionReturn(0);
}

/* Before the 3D read: drop localizers / other orientations (majority of orientation + size wins),
 * then pick one phase of a cine series (several images per position with distinct trigger times or
 * temporal positions). Duplicates that are not phases are left for ReadSlices to refuse. */
PetscErrorCode Prepare(const char *path, std::vector<SliceInfo> &sl, const HtDicomOptions *opt, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  if (!opt->keep_localizers && sl.size() > 1) {
    std::map<std::string, size_t> cnt;
    auto Key = [](const SliceInfo &s) {
      char k[256];
      if (!s.has_iop) snprintf(k, sizeof(k), "none %ld %ld", s.rows, s.cols);
      else snprintf(k, sizeof(k), "%.3f %.3f %.3f %.3f %.3f %.3f %ld %ld", s.iop[0], s.iop[1], s.iop[2], s.iop[3], s.iop[4], s.iop[5], s.rows, s.cols);
      for (char *c = k; *c; c++) /* -0.000 and 0.000 are the same orientation */
        if (c[0] == '-' && !strncmp(c + 1, "0.000", 5) && (c[6] == ' ' || c[6] == 0)) c[0] = ' ';
      return std::string(k);
    };
    for (auto &s : sl) cnt[Key(s)]++;
    if (cnt.size() > 1) {
      std::string best;
      size_t      nb = 0;
      for (auto &c : cnt)
        if (c.second > nb) best = c.first, nb = c.second;
      /* a tie is not a series with localizers: leave it for ReadSlices to refuse */
      size_t ties = 0;
      for (auto &c : cnt) ties += c.second == nb;
      if (ties == 1) {
        std::vector<SliceInfo> keep;
        std::string            first_out;
        for (auto &s : sl) {
          if (Key(s) == best) keep.push_back(s);
          else if (first_out.empty()) first_out = s.path;
        }
        char w[256];
        snprintf(w, sizeof(w), "series: %zu image(s) with another orientation or size excluded (localizers?), e.g. %s", sl.size() - keep.size(), first_out.c_str());
        AddWarn(meta, w);
        sl.swap(keep);
      }
    }
  }
  if (opt->phase >= 0) {
    PetscCall(SelectPhase(path, sl, opt->phase, meta));
    PetscFunctionReturn(0);
  }
  /* end-diastole default: is this a cine series? */
  std::vector<std::pair<double, const SliceInfo *>> d;
  for (auto &s : sl) {
    if (!s.has_ipp || !s.has_iop) PetscFunctionReturn(0); /* ReadSlices names the file */
    double n[3];
    Normal(sl[0].iop, n);
    d.push_back({s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2], &s});
  }
  std::sort(d.begin(), d.end(), [](const std::pair<double, const SliceInfo *> &a, const std::pair<double, const SliceInfo *> &b) { return a.first < b.first; });
  bool multi = false, phases = true;
  for (size_t a = 0; a < d.size();) {
    size_t b = a + 1;
    while (b < d.size() && std::fabs(d[b].first - d[a].first) <= 1e-3) b++;
    if (b - a > 1) {
      multi = true;
      std::vector<std::pair<double, long>> keys;
      for (size_t q = a; q < b; q++) keys.push_back({d[q].second->trigger_ms, d[q].second->temporal});
      std::sort(keys.begin(), keys.end());
      if (keys.front().first < 0 && keys.front().second < 0) phases = false; /* no timing at all */
      for (size_t q = 1; q < keys.size(); q++)
        if (keys[q] == keys[q - 1]) phases = false;
    }
    a = b;
  }
  if (multi && phases) {
    PetscCall(SelectPhase(path, sl, 0, meta));
    AddWarn(meta, "series: cine series; end-diastole (phase 0, earliest trigger time after the R wave) read as the 3D volume");
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ReadSeries(const char *path, const char *series_uid, const HtDicomOptions *opt, HtVolume *vol, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  std::vector<std::string>                       files;
  std::map<std::string, std::vector<SliceInfo>> groups;
  PetscCall(ListFiles(path, &files));
  PetscCall(GroupFiles(path, files, &groups, meta));
  std::vector<SliceInfo> *pick = NULL;
  if (series_uid) {
    auto it = groups.find(series_uid);
    PetscCheck(it != groups.end(), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "folder %s: requested series not found (%zu series present)", path, groups.size());
    pick = &it->second;
  } else {
    for (auto &g : groups)
      if (!pick || g.second.size() > pick->size()) pick = &g.second;
    if (groups.size() > 1) {
      char w[256];
      snprintf(w, sizeof(w), "folder: %zu series found; reading the one with most files (%zu)", groups.size(), pick->size());
      AddWarn(meta, w);
    }
  }
  PetscCall(Prepare(path, *pick, opt, meta));
  PetscCall(ReadSlices(*pick, opt, vol, meta));
  PetscFunctionReturn(0);
}

} // namespace

extern "C" {

PetscErrorCode HtDicom_ScanFolder(const char *path, PetscInt *nseries, HtDicomSeriesInfo **list)
{
  PetscFunctionBeginUser;
  PetscCheck(path && nseries && list, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtDicom_ScanFolder: NULL argument");
  *nseries = 0;
  *list    = NULL;
  try {
    PetscCall(ScanFolder(path, nseries, list));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "folder %s: DICOM scan failed (%s)", path, e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicomOptions_Default(HtDicomOptions *opt)
{
  PetscFunctionBeginUser;
  PetscCheck(opt, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtDicomOptions_Default: NULL argument");
  memset(opt, 0, sizeof(*opt));
  opt->phase           = HT_DICOM_PHASE_ED;
  opt->strict          = PETSC_FALSE;
  opt->keep_localizers = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicom_ReadSeries(const char *path, const char *series_uid, HtVolume *vol, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  PetscCall(HtDicom_ReadSeriesOpt(path, series_uid, NULL, vol, meta));
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicom_ReadSeriesPhase(const char *path, const char *series_uid, PetscInt phase, HtVolume *vol, HtDicomMeta *meta)
{
  HtDicomOptions opt;
  PetscFunctionBeginUser;
  PetscCall(HtDicomOptions_Default(&opt));
  opt.phase = phase < 0 ? HT_DICOM_PHASE_ED : phase;
  PetscCall(HtDicom_ReadSeriesOpt(path, series_uid, &opt, vol, meta));
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicom_ReadSeriesOpt(const char *path, const char *series_uid, const HtDicomOptions *optin, HtVolume *vol, HtDicomMeta *meta)
{
  HtDicomOptions opt;
  PetscFunctionBeginUser;
  PetscCheck(path && vol, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtDicom_ReadSeries: NULL argument");
  if (optin) opt = *optin;
  else PetscCall(HtDicomOptions_Default(&opt));
  memset(vol, 0, sizeof(*vol));
  if (meta) memset(meta, 0, sizeof(*meta));
  try {
    PetscErrorCode ierr = ReadSeries(path, series_uid, &opt, vol, meta);
    if (ierr) {
      if (meta) PetscCall(HtDicomMeta_Free(meta));
      PetscCall(HtVolume_Free(vol));
      PetscCall(ierr);
    }
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "folder %s: DICOM read failed (%s)", path, e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicom_ReadFiles(PetscInt nfiles, const char *const files[], HtVolume *vol, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  PetscCheck(nfiles > 0 && files && vol, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtDicom_ReadFiles: no files given");
  memset(vol, 0, sizeof(*vol));
  if (meta) memset(meta, 0, sizeof(*meta));
  try {
    RegisterCodecs();
    std::vector<SliceInfo> sl;
    std::string            series;
    for (PetscInt q = 0; q < nfiles; q++) {
      std::vector<SliceInfo> v;
      std::string            why;
      PetscCheck(LoadHeader(files[q], &v, &why), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %s", files[q], why.c_str());
      if (q == 0) series = v[0].series_uid;
      PetscCheck(v[0].series_uid == series, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: belongs to a different series than %s", files[q], files[0]);
      sl.insert(sl.end(), v.begin(), v.end());
    }
    HtDicomOptions opt;
    PetscCall(HtDicomOptions_Default(&opt));
    PetscErrorCode ierr = Prepare(files[0], sl, &opt, meta);
    if (!ierr) ierr = ReadSlices(sl, &opt, vol, meta);
    if (ierr) {
      if (meta) PetscCall(HtDicomMeta_Free(meta));
      PetscCall(HtVolume_Free(vol));
      PetscCall(ierr);
    }
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: DICOM read failed (%s)", files[0], e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtDicom_ReadHeader(const char *file, HtDicomMeta *meta)
{
  PetscFunctionBeginUser;
  PetscCheck(file && meta, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtDicom_ReadHeader: NULL argument");
  memset(meta, 0, sizeof(*meta));
  try {
    RegisterCodecs();
    DcmFileFormat ff;
    OFCondition   c = LoadDcm(file, ff, 1024, NULL);
    PetscCheck(c.good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: cannot parse DICOM (%s)", file, c.text());
    ReadMetaStrings(ff.getDataset(), meta);
    CopyStr(meta->transfer_syntax_uid, sizeof(meta->transfer_syntax_uid), DcmXfer(ff.getDataset()->getOriginalXfer()).getXferID());
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: DICOM header read failed (%s)", file, e.what());
  }
  PetscFunctionReturn(0);
}

} // extern "C"

/* ================================ dicom info ================================================= */
namespace {

struct Stats {
  double      mn = HUGE_VAL, mx = -HUGE_VAL;
  long double sum = 0;
  size_t      n   = 0;
  void        Add(double v) { AddN(v, 1); }
  void        AddN(double v, uint64_t c)
  {
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += (long double)v * (long double)c;
    n += c;
  }
};

/* Stored value q of a frame; pixel layout checked by the caller. 12-bit packed (ACR-NEMA): two
 * pixels in three bytes, little endian nibble order. */
inline unsigned StoredRaw(const Uint8 *b8, const Uint16 *b16, unsigned bits_alloc, size_t q)
{
  if (bits_alloc == 16) return b16[q];
  if (bits_alloc == 8) return b8[q];
  const Uint8 *p = b8 + (q / 2) * 3; /* 12 */
  return (q & 1) ? ((unsigned)p[1] >> 4) | ((unsigned)p[2] << 4) : (unsigned)p[0] | (((unsigned)p[1] & 0x0F) << 8);
}

/* All frames of one file (frames: its SliceInfo entries, one per frame for enhanced objects, or one
 * for the whole file) into st, after rescale (per frame for enhanced objects). */
PetscErrorCode FileStats(const std::string &path, const std::vector<const SliceInfo *> &frames, Stats *st, bool *colour)
{
  PetscFunctionBeginUser;
  const char   *f = path.c_str();
  DcmFileFormat ff;
  OFCondition   c = LoadDcm(f, ff, DCM_MaxReadLength, NULL);
  if (c.bad()) {
    if (c == EC_StreamNotifyClient || strstr(c.text(), "premature") || strstr(c.text(), "end of stream")) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: truncated (premature end of file while reading)", f);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: cannot parse DICOM (%s)", f, c.text());
  }
  DcmDataset *ds = ff.getDataset();
  PetscCheck(ds->tagExists(DCM_PixelData), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no pixel data (header only)", f);
  const SliceInfo &s0 = *frames[0];
  Uint16 spp = 1, bits_alloc = 0, bits_stored = 0, high_bit = 0, pixrep = 0;
  ds->findAndGetUint16(DCM_SamplesPerPixel, spp);
  PetscCheck(ds->findAndGetUint16(DCM_BitsAllocated, bits_alloc).good(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: BitsAllocated missing", f);
  if (ds->findAndGetUint16(DCM_BitsStored, bits_stored).bad()) bits_stored = bits_alloc;
  if (ds->findAndGetUint16(DCM_HighBit, high_bit).bad()) high_bit = (Uint16)(bits_stored - 1);
  ds->findAndGetUint16(DCM_PixelRepresentation, pixrep);
  PetscCheck(spp == 1 || spp == 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: %u samples per pixel not supported (1 or 3)", f, (unsigned)spp);
  PetscCheck(bits_alloc == 8 || bits_alloc == 12 || bits_alloc == 16, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: BitsAllocated %u not supported (8, 12 packed, 16)", f, (unsigned)bits_alloc);
  PetscCheck(bits_stored >= 1 && bits_stored <= bits_alloc && high_bit + 1 >= bits_stored && high_bit < bits_alloc, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: inconsistent BitsStored/HighBit", f);
  *colour = spp > 1;
  const size_t     npix  = (size_t)s0.rows * (size_t)s0.cols * spp;
  const size_t     nfr   = (size_t)s0.frames;
  E_TransferSyntax xfer  = ds->getOriginalXfer();
  double           slope = 1, inter = 0;
  if (spp == 1) {
    if (!GetF64(ds, DCM_RescaleSlope, &slope, 1)) slope = 1;
    if (!GetF64(ds, DCM_RescaleIntercept, &inter, 1)) inter = 0;
  }
  auto FrameRescale = [&](size_t k, double *a, double *b) {
    *a = slope;
    *b = inter;
    if (spp == 1 && k < frames.size() && frames[k]->has_rescale) {
      *a = frames[k]->slope;
      *b = frames[k]->inter;
    }
  };
  if (xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000) {
    PetscCheck(spp == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: colour JPEG 2000 is not supported", f);
    for (size_t k = 0; k < nfr; k++) {
      std::vector<double> v;
      PetscCall(DecodeJ2K(f, ds, npix, (long)k, (long)nfr, pixrep != 0, bits_stored, &v));
      double a, b;
      FrameRescale(k, &a, &b);
      for (double x : v) st->Add(x * a + b);
    }
    PetscFunctionReturn(0);
  }
  if (DcmXfer(xfer).isEncapsulated()) {
    c = ds->chooseRepresentation(EXS_LittleEndianExplicit, NULL);
    PetscCheck(c.good() && ds->canWriteXfer(EXS_LittleEndianExplicit), PETSC_COMM_SELF, PETSC_ERR_LIB, "file %s: cannot decode compressed pixel data (transfer syntax %s): %s", f, DcmXfer(xfer).getXferName(), c.text());
  }
  DcmElement *pe = NULL;
  PetscCheck(ds->findAndGetElement(DCM_PixelData, pe).good() && pe, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no pixel data", f);
  const size_t need = bits_alloc == 12 ? (npix * nfr * 3 + 1) / 2 : npix * nfr * (bits_alloc / 8);
  Uint32       have = pe->getLength();
  PetscCheck(have >= need, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: truncated pixel data (%lu of %zu bytes)", f, (unsigned long)have, need);
  Uint8  *b8  = NULL;
  Uint16 *b16 = NULL;
  if (bits_alloc == 16) PetscCheck(pe->getUint16Array(b16).good() && b16, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot access 16-bit pixel data", f);
  else PetscCheck(PixelBytes(pe, b8), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "file %s: cannot access %u-bit pixel data", f, (unsigned)bits_alloc);
  const unsigned shift = (unsigned)(high_bit + 1 - bits_stored);
  const unsigned mask  = (1u << bits_stored) - 1u;
  const unsigned sign  = 1u << (bits_stored - 1);
  /* a histogram of stored words per frame, then the rescaled statistics from it (exact) */
  const unsigned        nw = bits_alloc == 8 ? 256u : bits_alloc == 12 ? 4096u : 65536u;
  std::vector<uint64_t> hist(nw);
  for (size_t k = 0; k < nfr; k++) {
    double a, b;
    FrameRescale(k, &a, &b);
    std::fill(hist.begin(), hist.end(), 0);
    if (bits_alloc == 16)
      for (size_t q = 0; q < npix; q++) hist[b16[k * npix + q]]++;
    else if (bits_alloc == 8)
      for (size_t q = 0; q < npix; q++) hist[b8[k * npix + q]]++;
    else
      for (size_t q = 0; q < npix; q++) hist[StoredRaw(b8, b16, bits_alloc, k * npix + q)]++;
    for (unsigned raw = 0; raw < nw; raw++) {
      if (!hist[raw]) continue;
      unsigned u = (raw >> shift) & mask;
      double   s = (pixrep && (u & sign)) ? (double)u - (double)(mask + 1u) : (double)u;
      st->AddN(s * a + b, hist[raw]);
    }
  }
  PetscFunctionReturn(0);
}

/* "2.25.<decimal of the first 128 bits of SHA-256(uid)>": a stable surrogate, the UID itself is PHI. */
std::string SurrogateUid(const std::string &uid)
{
  if (uid.empty()) return "";
  uint8_t h[32];
  HtSha256(uid.data(), uid.size(), h);
  uint8_t     num[16];
  std::string dec;
  memcpy(num, h, 16);
  bool zero = false;
  while (!zero) { /* repeated division by 10 of a 128-bit big-endian number */
    unsigned rem = 0;
    zero         = true;
    for (int q = 0; q < 16; q++) {
      unsigned cur = rem * 256 + num[q];
      num[q]       = (uint8_t)(cur / 10);
      rem          = cur % 10;
      if (num[q]) zero = false;
    }
    dec.push_back((char)('0' + rem));
  }
  std::reverse(dec.begin(), dec.end());
  return "2.25." + dec;
}

void JsonStr(FILE *out, const std::string &s)
{
  fputc('"', out);
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
    else if (ch < 0x20) fprintf(out, "\\u%04x", ch);
    else fputc(ch, out);
  }
  fputc('"', out);
}

void JsonNum(FILE *out, double v)
{
  if (std::isfinite(v)) fprintf(out, "%.10g", v);
  else fputs("null", out);
}

struct SeriesReport {
  std::string              uid, modality;
  long                     rows = 0, cols = 0, frames = 0, positions = 0, phases = 0;
  bool                     has_ps = false, has_iop = false, has_pos = false, has_step = false;
  double                   ps[2] = {0, 0}, iop[6] = {0, 0, 0, 0, 0, 0}, pos[3] = {0, 0, 0}, step = 0;
  Stats                    st;
  std::vector<std::string> warnings;
};

/* Geometry facts of a group of images (all with a position and the orientation of the first). */
void Geometry(const std::vector<SliceInfo> &sl, SeriesReport *r)
{
  const SliceInfo &s0 = sl[0];
  r->has_ps           = s0.has_ps;
  r->has_iop          = s0.has_iop;
  if (s0.has_ps) memcpy(r->ps, s0.ps, sizeof(r->ps));
  if (s0.has_iop) memcpy(r->iop, s0.iop, sizeof(r->iop));
  if (!s0.has_iop) return;
  double n[3];
  Normal(s0.iop, n);
  double nn = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  if (nn < 1e-6) return;
  std::vector<std::pair<double, const SliceInfo *>> d;
  size_t                                            nother = 0;
  for (auto &s : sl) {
    bool same = s.has_iop;
    for (int q = 0; same && q < 6; q++) same = std::fabs(s.iop[q] - s0.iop[q]) < 1e-4;
    if (!same) nother++;
    else if (s.has_ipp) d.push_back({(s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2]) / nn, &s});
  }
  if (nother) r->warnings.push_back(std::to_string(nother) + " image(s) with another orientation (localizers?) not counted in positions");
  if (d.empty()) return;
  std::stable_sort(d.begin(), d.end(), [](const std::pair<double, const SliceInfo *> &a, const std::pair<double, const SliceInfo *> &b) { return a.first < b.first; });
  std::vector<double> uniq;
  for (auto &p : d)
    if (uniq.empty() || p.first - uniq.back() > 1e-3) uniq.push_back(p.first);
  r->positions = (long)uniq.size();
  r->phases    = d.size() % uniq.size() == 0 ? (long)(d.size() / uniq.size()) : 0;
  if (!r->phases) r->warnings.push_back("positions hold differing numbers of images (incomplete phases or duplicates)");
  else if (r->phases > 1) r->warnings.push_back(std::to_string(r->phases) + " images per position (cine phases or duplicates)");
  r->has_pos = true;
  memcpy(r->pos, d[0].second->ipp, sizeof(r->pos));
  if (uniq.size() > 1) {
    std::vector<double> gaps;
    for (size_t k = 1; k < uniq.size(); k++) gaps.push_back(uniq[k] - uniq[k - 1]);
    std::sort(gaps.begin(), gaps.end());
    double med  = gaps.size() % 2 ? gaps[gaps.size() / 2] : 0.5 * (gaps[gaps.size() / 2 - 1] + gaps[gaps.size() / 2]);
    r->has_step = true;
    r->step     = med;
    if (gaps.back() > 1.5 * med) r->warnings.push_back("a slice step exceeds 1.5x the median step (missing slice?)");
    else if (gaps.back() - gaps.front() > 0.01 * med + 1e-3) r->warnings.push_back("irregular slice spacing (3D reading resamples to the median step)");
    /* in-plane drift of the slice origins: gantry tilt */
    const SliceInfo *a = d.front().second, *b = d.back().second;
    double           dv[3], dl = 0;
    for (int q = 0; q < 3; q++) {
      dv[q] = b->ipp[q] - a->ipp[q];
      dl += dv[q] * dv[q];
    }
    double along = (dv[0] * n[0] + dv[1] * n[1] + dv[2] * n[2]) / nn, inpl = std::sqrt(std::max(0.0, dl - along * along));
    if (inpl > 0.01 * std::fabs(along) + 1e-3) {
      char w[160];
      snprintf(w, sizeof(w), "slice origins sheared by %.3g deg (gantry tilt; 3D reading corrects it)", std::atan2(inpl, std::fabs(along)) * 180 / PETSC_PI);
      r->warnings.push_back(w);
    }
  }
}

PetscErrorCode Info(const char *path, PetscBool json, FILE *out)
{
  PetscFunctionBeginUser;
  std::vector<std::string>                       files;
  std::map<std::string, std::vector<SliceInfo>> groups;
  HtDicomMeta                                   *fw; /* folder-level warnings */
  PetscCall(PetscCalloc1(1, &fw));
  PetscCall(ListFiles(path, &files));
  {
    PetscErrorCode ierr = GroupFiles(path, files, &groups, fw);
    if (ierr) PetscCall(PetscFree(fw));
    PetscCall(ierr);
  }
  std::vector<SeriesReport> reps;
  for (auto &g : groups) {
    SeriesReport r;
    for (PetscInt w = 0; w < fw->nwarnings; w++) r.warnings.push_back(fw->warnings[w]);
    const SliceInfo &s0 = g.second[0];
    r.uid               = SurrogateUid(g.first);
    r.modality          = s0.modality;
    r.rows              = s0.rows;
    r.cols              = s0.cols;
    r.frames            = (long)g.second.size(); /* one SliceInfo per frame (enhanced) or per file */
    std::map<std::string, std::vector<const SliceInfo *>> byfile;
    for (auto &s : g.second) {
      if (!s.enhanced && s.frames > 1) r.frames += s.frames - 1;
      byfile[s.path].push_back(&s);
    }
    bool any_mf_nogeo = false, colour = false;
    for (auto &s : g.second)
      if (s.frames > 1 && !s.enhanced) any_mf_nogeo = true;
    if (any_mf_nogeo) r.warnings.push_back("multi-frame image without per-frame positions: frames are not slices, no 3D volume");
    Geometry(g.second, &r);
    if (!r.has_pos) r.warnings.push_back("no image position/orientation: no 3D volume");
    for (auto &bf : byfile) {
      PetscErrorCode ierr = FileStats(bf.first, bf.second, &r.st, &colour);
      if (ierr) PetscCall(PetscFree(fw));
      PetscCall(ierr);
    }
    if (colour) r.warnings.push_back("colour image: statistics over all samples, no rescale");
    for (auto &sx : g.second)
      if (sx.repaired) {
        r.warnings.push_back("file " + sx.path + ": malformed (sequence item outside a sequence), parsed without it");
        break;
      }
    reps.push_back(r);
  }
  PetscCall(PetscFree(fw));
  std::stable_sort(reps.begin(), reps.end(), [](const SeriesReport &a, const SeriesReport &b) { return a.frames > b.frames; });
  if (json) {
    fputs("{\"series\":[", out);
    for (size_t i = 0; i < reps.size(); i++) {
      const SeriesReport &r = reps[i];
      fputs(i ? ",\n{" : "\n{", out);
      fputs("\"series_uid\":", out);
      if (r.uid.empty()) fputs("null", out); /* no SeriesInstanceUID in the files */
      else JsonStr(out, r.uid);
      fputs(",\"modality\":", out);
      JsonStr(out, r.modality);
      fprintf(out, ",\"rows\":%ld,\"columns\":%ld,\"frames\":%ld,\"positions\":%ld,\"phases\":", r.rows, r.cols, r.frames, r.positions);
      if (r.has_pos && r.phases) fprintf(out, "%ld", r.phases);
      else fputs("null", out);
      fputs(",\"pixel_spacing_mm\":", out);
      if (r.has_ps) fprintf(out, "[%.10g,%.10g]", r.ps[0], r.ps[1]);
      else fputs("null", out);
      fputs(",\"orientation\":", out);
      if (r.has_iop) fprintf(out, "[%.10g,%.10g,%.10g,%.10g,%.10g,%.10g]", r.iop[0], r.iop[1], r.iop[2], r.iop[3], r.iop[4], r.iop[5]);
      else fputs("null", out);
      fputs(",\"first_position_mm\":", out);
      if (r.has_pos) fprintf(out, "[%.10g,%.10g,%.10g]", r.pos[0], r.pos[1], r.pos[2]);
      else fputs("null", out);
      fputs(",\"slice_spacing_mm\":", out);
      if (r.has_step) JsonNum(out, r.step);
      else fputs("null", out);
      fputs(",\"rescaled_min\":", out);
      JsonNum(out, r.st.mn);
      fputs(",\"rescaled_max\":", out);
      JsonNum(out, r.st.mx);
      fputs(",\"rescaled_mean\":", out);
      JsonNum(out, r.st.n ? (double)(r.st.sum / (long double)r.st.n) : NAN);
      fputs(",\"warnings\":[", out);
      for (size_t w = 0; w < r.warnings.size(); w++) {
        if (w) fputc(',', out);
        JsonStr(out, r.warnings[w]);
      }
      fputs("]}", out);
    }
    fputs("\n]}\n", out);
  } else {
    for (const SeriesReport &r : reps) {
      fprintf(out, "series %s  %s  %ld x %ld  frames %ld  positions %ld  phases %ld\n", r.uid.c_str(), r.modality.c_str(), r.rows, r.cols, r.frames, r.positions, r.phases);
      if (r.has_ps) fprintf(out, "  pixel spacing %.6g x %.6g mm", r.ps[0], r.ps[1]);
      if (r.has_step) fprintf(out, "  slice spacing %.6g mm", r.step);
      fprintf(out, "\n  rescaled min %.6g max %.6g mean %.6g\n", r.st.mn, r.st.mx, r.st.n ? (double)(r.st.sum / (long double)r.st.n) : NAN);
      for (auto &w : r.warnings) fprintf(out, "  warning: %s\n", w.c_str());
    }
  }
  PetscFunctionReturn(0);
}

} // namespace

extern "C" {

PetscErrorCode HtDicom_Info(const char *path, PetscBool json, FILE *out)
{
  PetscFunctionBeginUser;
  PetscCheck(path && out, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "HtDicom_Info: NULL argument");
  try {
    RegisterCodecs();
    PetscCall(Info(path, json, out));
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "%s: DICOM info failed (%s)", path, e.what());
  }
  PetscFunctionReturn(0);
}

int HtDicom_InfoMain(int argc, char **argv)
{
  const char *path = NULL;
  PetscBool   json = PETSC_FALSE;
  int i0 = 1;
  if (argc > 1 && !strcmp(argv[1], "info") && strcmp(argv[0], "info")) i0 = 2; /* called with argv[0] = "dicom" */
  for (int i = i0; i < argc; i++) {
    if (!strcmp(argv[i], "--json")) json = PETSC_TRUE;
    else if (!strcmp(argv[i], "--quiet")) HtLog_SetQuiet(PETSC_TRUE);
    else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "hemotwin dicom info: unknown option %s\n", argv[i]);
      return 2;
    } else if (!path) path = argv[i];
    else {
      fprintf(stderr, "hemotwin dicom info: one PATH expected (got %s too)\n", argv[i]);
      return 2;
    }
  }
  if (!path) {
    fprintf(stderr, "usage: hemotwin dicom info PATH [--json]   (PATH: a DICOM file or folder)\n");
    return 2;
  }
  /* Build the report in memory: on failure nothing (no partial JSON) reaches stdout. */
  char          *buf = NULL;
  size_t         len = 0;
  FILE          *mem = open_memstream(&buf, &len);
  if (!mem) {
    fprintf(stderr, "hemotwin: error: %s: out of memory\n", path);
    return 1;
  }
  HtError_Clear();
  PetscErrorCode ierr = HtError_PushHandler();
  if (!ierr) {
    ierr = HtDicom_Info(path, json, mem);
    (void)HtError_PopHandler();
  }
  fclose(mem);
  if (ierr) {
    const char *msg = HtError_LastMessage();
    fprintf(stderr, "hemotwin: error: %s\n", msg && msg[0] ? msg : "DICOM info failed");
    HtError_Clear();
    free(buf);
    return 1;
  }
  fwrite(buf, 1, len, stdout);
  fflush(stdout);
  free(buf);
  return 0;
}

} // extern "C"
