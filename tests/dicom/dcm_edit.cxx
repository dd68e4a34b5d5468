/* Test-only DCMTK adaptor (see dcm_edit.h). */
#include "dcm_edit.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <openjpeg.h>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>


/* ---- JPEG 2000 encoding (OpenJPEG, lossless 5/3) into memory, for the multi-frame J2K test ---- */
struct OutMem {
  std::vector<Uint8> b;
  size_t             pos = 0;
};
static OPJ_SIZE_T OWrite(void *buf, OPJ_SIZE_T n, void *u)
{
  OutMem *m = (OutMem *)u;
  if (m->pos + n > m->b.size()) m->b.resize(m->pos + n);
  memcpy(m->b.data() + m->pos, buf, n);
  m->pos += n;
  return n;
}
static OPJ_OFF_T OSkip(OPJ_OFF_T n, void *u)
{
  OutMem *m = (OutMem *)u;
  m->pos += (size_t)n;
  if (m->pos > m->b.size()) m->b.resize(m->pos);
  return n;
}
static OPJ_BOOL OSeek(OPJ_OFF_T n, void *u)
{
  OutMem *m = (OutMem *)u;
  m->pos    = (size_t)n;
  if (m->pos > m->b.size()) m->b.resize(m->pos);
  return OPJ_TRUE;
}
/* one grey 16-bit frame -> raw J2K codestream; sgnd: what the codestream claims */
static bool EncodeJ2K(const std::vector<int> &px, unsigned w, unsigned h, bool sgnd, std::vector<Uint8> *out)
{
  opj_image_cmptparm_t cp;
  memset(&cp, 0, sizeof(cp));
  cp.dx = cp.dy = 1;
  cp.w = w, cp.h = h, cp.prec = 16, cp.sgnd = sgnd ? 1 : 0;
  opj_image_t *img = opj_image_create(1, &cp, OPJ_CLRSPC_GRAY);
  if (!img) return false;
  img->x0 = img->y0 = 0, img->x1 = w, img->y1 = h;
  for (size_t q = 0; q < (size_t)w * h; q++) img->comps[0].data[q] = px[q];
  opj_cparameters_t par;
  opj_set_default_encoder_parameters(&par);
  par.tcp_numlayers = 1, par.tcp_rates[0] = 0, par.cp_disto_alloc = 1; /* lossless */
  opj_codec_t  *c  = opj_create_compress(OPJ_CODEC_J2K);
  opj_stream_t *st = opj_stream_create(1 << 16, OPJ_FALSE);
  OutMem        m;
  opj_stream_set_user_data(st, &m, NULL);
  opj_stream_set_write_function(st, OWrite);
  opj_stream_set_skip_function(st, OSkip);
  opj_stream_set_seek_function(st, OSeek);
  bool ok = opj_setup_encoder(c, &par, img) && opj_start_compress(c, img, st) && opj_encode(c, st) && opj_end_compress(c, st);
  opj_stream_destroy(st);
  opj_destroy_codec(c);
  opj_image_destroy(img);
  if (ok) {
    m.b.resize(std::max(m.pos, m.b.size()));
    if (m.b.size() & 1) m.b.push_back(0); /* even fragment length */
    *out = m.b;
  }
  return ok;
}

static bool g_j2k = false;

static int EditOne(DcmDataset *ds, const char *op)
{
  {
    if (!strcmp(op, "oblique")) {
      double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
      char   v[256];
      snprintf(v, sizeof(v), "%.6f\\%.6f\\0\\%.6f\\%.6f\\0", c, s, -s, c);
      if (ds->putAndInsertString(DCM_ImageOrientationPatient, v).bad()) return 2;
    } else if (!strcmp(op, "no_ipp")) {
      if (ds->findAndDeleteElement(DCM_ImagePositionPatient).bad()) return 2;
    } else if (!strcmp(op, "small") || !strcmp(op, "half_pixels")) {
      Uint16        rows = 0, cols = 0;
      const Uint16 *px   = NULL;
      unsigned long n    = 0;
      if (ds->findAndGetUint16(DCM_Rows, rows).bad() || ds->findAndGetUint16(DCM_Columns, cols).bad() || ds->findAndGetUint16Array(DCM_PixelData, px, &n).bad()) return 2;
      std::vector<Uint16> keep(px, px + n);
      if (!strcmp(op, "small")) {
        keep.resize((size_t)(rows - 1) * cols);
        if (ds->putAndInsertUint16(DCM_Rows, (Uint16)(rows - 1)).bad()) return 3;
      } else keep.resize(n / 2);
      if (ds->putAndInsertUint16Array(DCM_PixelData, keep.data(), (unsigned long)keep.size()).bad()) return 3;
    } else if (!strncmp(op, "series_uid=", 11)) {
      if (ds->putAndInsertString(DCM_SeriesInstanceUID, op + 11).bad()) return 2;
    } else if (!strncmp(op, "ipp_add=", 8)) {
      double d[3], p[3];
      if (sscanf(op + 8, "%lf,%lf,%lf", &d[0], &d[1], &d[2]) != 3) return 4;
      for (int q = 0; q < 3; q++)
        if (ds->findAndGetFloat64(DCM_ImagePositionPatient, p[q], q).bad()) return 2;
      char v[256];
      snprintf(v, sizeof(v), "%.6f\\%.6f\\%.6f", p[0] + d[0], p[1] + d[1], p[2] + d[2]);
      if (ds->putAndInsertString(DCM_ImagePositionPatient, v).bad()) return 2;
    } else if (!strncmp(op, "sop=", 4)) {
      if (ds->putAndInsertString(DCM_SOPInstanceUID, op + 4).bad()) return 2;
    } else if (!strncmp(op, "fill=", 5)) {
      double a, b;
      Uint16 rows = 0, cols = 0;
      if (sscanf(op + 5, "%lf,%lf", &a, &b) != 2) return 4;
      if (ds->findAndGetUint16(DCM_Rows, rows).bad() || ds->findAndGetUint16(DCM_Columns, cols).bad()) return 2;
      std::vector<Uint16> px((size_t)rows * cols);
      for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) px[r * cols + c] = (Uint16)std::lround(a + b * (double)r);
      if (ds->putAndInsertUint16Array(DCM_PixelData, px.data(), (unsigned long)px.size()).bad()) return 3;
    } else if (!strcmp(op, "exp_ds")) {
      /* the same numbers in exponent form: PixelSpacing, ImagePositionPatient, RescaleSlope */
      double ps[2], p[3];
      for (int q = 0; q < 2; q++)
        if (ds->findAndGetFloat64(DCM_PixelSpacing, ps[q], q).bad()) return 2;
      for (int q = 0; q < 3; q++)
        if (ds->findAndGetFloat64(DCM_ImagePositionPatient, p[q], q).bad()) return 2;
      char v[256];
      snprintf(v, sizeof(v), "%.6e\\%.6E", ps[0], ps[1]);
      if (ds->putAndInsertString(DCM_PixelSpacing, v).bad()) return 2;
      snprintf(v, sizeof(v), "%.7e\\%.7e\\%.7e", p[0], p[1], p[2]);
      if (ds->putAndInsertString(DCM_ImagePositionPatient, v).bad()) return 2;
      if (ds->putAndInsertString(DCM_RescaleSlope, "1.0e+00").bad() || ds->putAndInsertString(DCM_RescaleIntercept, "0.0E0").bad()) return 2;
    } else if (!strcmp(op, "pack12")) {
      /* 16-bit pixels (values < 4096) re-encoded as ACR-NEMA 12-bit packed: 2 pixels in 3 bytes */
      const Uint16 *px = NULL;
      unsigned long n  = 0;
      if (ds->findAndGetUint16Array(DCM_PixelData, px, &n).bad()) return 2;
      std::vector<Uint8> b((n * 3 + 1) / 2 + 1, 0);
      for (unsigned long q = 0; q < n; q++) {
        unsigned v = px[q] & 0x0FFF;
        Uint8   *o = &b[(q / 2) * 3];
        if (q & 1) {
          o[1] = (Uint8)((o[1] & 0x0F) | ((v & 0x0F) << 4));
          o[2] = (Uint8)(v >> 4);
        } else {
          o[0] = (Uint8)(v & 0xFF);
          o[1] = (Uint8)((o[1] & 0xF0) | (v >> 8));
        }
      }
      b.resize(b.size() & ~(size_t)1); /* even length */
      ds->findAndDeleteElement(DCM_PixelData);
      DcmPixelData *pd = new DcmPixelData(DcmTag(DCM_PixelData, EVR_OB));
      if (pd->putUint8Array(b.data(), (unsigned long)b.size()).bad() || ds->insert(pd, OFTrue).bad()) return 3;
      if (ds->putAndInsertUint16(DCM_BitsAllocated, 12).bad() || ds->putAndInsertUint16(DCM_BitsStored, 12).bad() || ds->putAndInsertUint16(DCM_HighBit, 11).bad() || ds->putAndInsertUint16(DCM_PixelRepresentation, 0).bad()) return 3;
    } else if (!strncmp(op, "j2k_frames=", 11) || !strncmp(op, "j2k_frames_sgnd=", 16) || !strncmp(op, "j2k_frames_wrap=", 16)) {
      /* N frames, frame f = the 16-bit pixels + 100 f, each a lossless J2K fragment; the codestream
       * claims signed samples with _sgnd (PixelRepresentation stays what it is) */
      bool     sg = !strncmp(op, "j2k_frames_sgnd=", 16), wrap = !strncmp(op, "j2k_frames_wrap=", 16);
      int      nf = atoi(op + (sg || wrap ? 16 : 11));
      Uint16   rows = 0, cols = 0, pr = 0;
      const Uint16 *px = NULL;
      unsigned long n  = 0;
      if (nf < 1 || ds->findAndGetUint16(DCM_Rows, rows).bad() || ds->findAndGetUint16(DCM_Columns, cols).bad() || ds->findAndGetUint16Array(DCM_PixelData, px, &n).bad()) return 2;
      ds->findAndGetUint16(DCM_PixelRepresentation, pr);
      if (wrap && ds->putAndInsertUint16(DCM_PixelRepresentation, 1).bad()) return 3;
      DcmPixelSequence *seq = new DcmPixelSequence(DcmTag(DCM_PixelData, EVR_OB));
      seq->insert(new DcmPixelItem(DcmTag(DCM_Item, EVR_OB))); /* empty offset table */
      for (int f = 0; f < nf; f++) {
        std::vector<int> v(n);
        for (unsigned long q = 0; q < n; q++) v[q] = (pr ? (int)(Sint16)px[q] : (int)px[q]) + 100 * f;
        if (wrap) /* values - 1000 stored as signed (PixelRepresentation 1), but the codestream is
                   * unsigned 16-bit holding their two's complement bit patterns */
          for (unsigned long q = 0; q < n; q++) v[q] = (v[q] - 1000) & 0xFFFF;
        std::vector<Uint8> cs;
        if (!EncodeJ2K(v, cols, rows, sg, &cs)) return 3;
        DcmPixelItem *it = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
        if (it->putUint8Array(cs.data(), (unsigned long)cs.size()).bad()) return 3;
        seq->insert(it);
      }
      DcmPixelData *pd = new DcmPixelData(DCM_PixelData);
      pd->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, NULL, seq);
      ds->findAndDeleteElement(DCM_PixelData);
      if (ds->insert(pd, OFTrue).bad()) return 3;
      char nfs[16];
      snprintf(nfs, sizeof(nfs), "%d", nf);
      if (ds->putAndInsertString(DCM_NumberOfFrames, nfs).bad()) return 3;
      g_j2k = true;
    } else if (!strcmp(op, "deflate")) {
      /* handled when saving: deflated explicit VR little endian */
    } else if (!strcmp(op, "acrnema")) {
      /* handled when saving: data set only, implicit VR, no preamble or meta header */
    } else return 4;
  }
  return 0;
}

extern "C" int HtTestDcm_Edit(const char *src, const char *dst, const char *ops)
{
  try {
    DcmFileFormat ff;
    if (ff.loadFile(src).bad()) return 1;
    DcmDataset *ds = ff.getDataset();
    std::string all(ops);
    size_t      a = 0;
    while (a <= all.size()) { /* ops separated by ';' */
      size_t b  = all.find(';', a);
      if (b == std::string::npos) b = all.size();
      int rc = EditOne(ds, all.substr(a, b - a).c_str());
      if (rc) return rc;
      a = b + 1;
    }
    if (all.find("acrnema") != std::string::npos) return ds->saveFile(dst, EXS_LittleEndianImplicit).good() ? 0 : 5;
    if (all.find("deflate") != std::string::npos) return ff.saveFile(dst, EXS_DeflatedLittleEndianExplicit).good() ? 0 : 5;
    if (g_j2k) {
      g_j2k = false;
      OFCondition c = ff.saveFile(dst, EXS_JPEG2000LosslessOnly);
      return c.good() ? 0 : 7;
    }
    return ff.saveFile(dst, EXS_LittleEndianExplicit).good() ? 0 : 5;
  } catch (...) {
    return 6;
  }
}
