/* Test-only DCMTK adaptor (see dcm_edit.h). */
#include "dcm_edit.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

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
    return ff.saveFile(dst, EXS_LittleEndianExplicit).good() ? 0 : 5;
  } catch (...) {
    return 6;
  }
}
