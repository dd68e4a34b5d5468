/* Test-only DCMTK adaptor (see dcm_edit.h). */
#include "dcm_edit.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <cmath>
#include <cstring>
#include <vector>

extern "C" int HtTestDcm_Edit(const char *src, const char *dst, const char *op)
{
  try {
    DcmFileFormat ff;
    if (ff.loadFile(src).bad()) return 1;
    DcmDataset *ds = ff.getDataset();
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
    } else return 4;
    return ff.saveFile(dst, EXS_LittleEndianExplicit).good() ? 0 : 5;
  } catch (...) {
    return 6;
  }
}
