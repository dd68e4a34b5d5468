/* Test-only DCMTK adaptor (see phi_dcmtk.h). */
#include "phi_dcmtk.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

static void Add(std::set<std::string> &s, const std::string &v, int minlen)
{
  size_t a = v.find_first_not_of(" "), b = v.find_last_not_of(" ");
  if (a == std::string::npos) return;
  std::string t = v.substr(a, b - a + 1);
  if ((int)t.size() >= minlen) s.insert(t);
}

extern "C" int HtTestPhi_Collect(const char *file, int minlen, int *n, char ***vals)
{
  try {
    DcmFileFormat ff;
    if (ff.loadFile(file).bad()) return 1;
    std::set<std::string> s;
    for (int q = 0; q < *n; q++) s.insert((*vals)[q]);
    DcmStack stack;
    DcmDataset *ds = ff.getDataset();
    while (ds->nextObject(stack, OFTrue).good()) {
      DcmObject *o = stack.top();
      DcmEVR     vr = o->ident();
      if (!(vr == EVR_PN || vr == EVR_DA || vr == EVR_DT || vr == EVR_TM || vr == EVR_AS || vr == EVR_LO || vr == EVR_SH || vr == EVR_ST || vr == EVR_LT || vr == EVR_UI)) continue;
      DcmTagKey k = o->getTag();
      if (k == DCM_Manufacturer || k == DCM_ManufacturerModelName) continue;
      OFString v;
      if (((DcmElement *)o)->getOFStringArray(v).bad()) continue;
      std::string sv(v.c_str());
      if (vr == EVR_UI && sv.rfind("1.2.840.10008.", 0) == 0) continue; /* standard (non-identifying) UIDs */
      Add(s, sv, minlen);
      if (vr == EVR_PN) {
        size_t p = 0;
        while (p <= sv.size()) {
          size_t e = sv.find_first_of("^=\\", p);
          if (e == std::string::npos) e = sv.size();
          Add(s, sv.substr(p, e - p), minlen);
          p = e + 1;
        }
      }
    }
    for (int q = 0; q < *n; q++) free((*vals)[q]);
    free(*vals);
    *n    = (int)s.size();
    *vals = (char **)malloc(sizeof(char *) * (s.size() + 1));
    int q = 0;
    for (auto &x : s) (*vals)[q++] = strdup(x.c_str());
    return 0;
  } catch (...) {
    return 2;
  }
}

extern "C" void HtTestPhi_Free(int n, char **vals)
{
  for (int q = 0; q < n; q++) free(vals[q]);
  free(vals);
}
