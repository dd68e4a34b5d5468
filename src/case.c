/* Strict case-file parser (see htcase.h for the layout). Every object is checked against the list of
 * keys it may hold, so a typo never silently falls back to a default: the error names the key path and
 * suggests the closest allowed key (units live in key names, so "heart_rate" -> "heart_rate_bpm"). */
#include "htcase.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { K_NUMBER, K_INT, K_STRING, K_BOOL, K_OBJECT, K_ARRAY, K_ANY } KeyType;
typedef struct {
  const char *name;
  KeyType     type;
} KeySpec;

const char *HtCase_TypeName(HtCandidateType t)
{
  switch (t) {
  case HT_CAND_BASELINE: return "baseline";
  case HT_CAND_STENT: return "stent";
  case HT_CAND_BYPASS: return "bypass";
  }
  return "?";
}

PetscErrorCode HtCase_SetDefaults(HtCase *c)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(c, sizeof(*c)));
  /* Resting adult values (Guyton & Hall): HR 75 bpm, CO 5 L/min, MAP 93 mmHg, PP 40 mmHg. */
  c->heart_rate_bpm               = 75.0;
  c->cardiac_output_L_min         = 5.0;
  c->mean_pressure_mmHg           = 93.0;
  c->pulse_pressure_mmHg          = 40.0;
  c->blood_density_g_cm3          = 1.06;
  c->blood_viscosity_P            = 0.04;
  c->seg_min_HU                   = NAN;
  c->seg_max_HU                   = NAN;
  c->cl_resample_mm               = 0;
  c->cl_min_branch_mm             = 0;
  c->mesh_size_mm                 = 2.0;
  c->surface_smoothing_iterations = 20;
  c->volume_mesh                  = PETSC_TRUE;
  c->points_per_cycle             = 200;
  c->max_cycles                   = 20;
  c->cycle_tolerance_mmHg         = 0.1;
  c->lesion_min_severity          = 0.2;
  c->phantom_seed                 = 1;
  PetscFunctionReturn(0);
}

/* ---- helpers ------------------------------------------------------------------------------- */
static size_t Levenshtein(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b), prev[80], cur[80];
  if (la > 78 || lb > 78) return (size_t)-1;
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j]     = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    memcpy(prev, cur, (lb + 1) * sizeof(size_t));
  }
  return prev[lb];
}

/* The allowed key closest to an unknown one: a key it is a prefix of (a unit was left out), else the
 * smallest edit distance if that is small relative to the key. NULL when nothing is close. */
static const char *Suggest(const char *key, const KeySpec *spec, PetscInt n)
{
  const char *best = NULL;
  size_t      bestd = (size_t)-1, lk = strlen(key);
  for (PetscInt i = 0; i < n; i++) {
    if (lk >= 3 && !strncmp(spec[i].name, key, lk)) return spec[i].name;
  }
  for (PetscInt i = 0; i < n; i++) {
    size_t d = Levenshtein(key, spec[i].name);
    if (d < bestd) {
      bestd = d;
      best  = spec[i].name;
    }
  }
  if (best && bestd <= (lk < 6 ? 2 : lk / 3)) return best;
  return NULL;
}

static const char *TypeWord(KeyType t)
{
  switch (t) {
  case K_NUMBER: return "a number";
  case K_INT: return "an integer";
  case K_STRING: return "a string";
  case K_BOOL: return "true or false";
  case K_OBJECT: return "an object";
  case K_ARRAY: return "an array";
  case K_ANY: return "a value";
  }
  return "?";
}

static PetscBool TypeOk(const cJSON *it, KeyType t)
{
  switch (t) {
  case K_NUMBER: return cJSON_IsNumber(it) && isfinite(it->valuedouble) ? PETSC_TRUE : PETSC_FALSE;
  case K_INT: return cJSON_IsNumber(it) && isfinite(it->valuedouble) && it->valuedouble == floor(it->valuedouble) && fabs(it->valuedouble) < 1e9 ? PETSC_TRUE : PETSC_FALSE;
  case K_STRING: return cJSON_IsString(it) ? PETSC_TRUE : PETSC_FALSE;
  case K_BOOL: return cJSON_IsBool(it) ? PETSC_TRUE : PETSC_FALSE;
  case K_OBJECT: return cJSON_IsObject(it) ? PETSC_TRUE : PETSC_FALSE;
  case K_ARRAY: return cJSON_IsArray(it) ? PETSC_TRUE : PETSC_FALSE;
  case K_ANY: return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* Join a parent key path and a child key: "" + "case" -> "case", "physiology" + "x" -> "physiology.x". */
static void KeyPath(char *buf, size_t len, const char *parent, const char *key)
{
  if (parent && parent[0]) snprintf(buf, len, "%s.%s", parent, key);
  else snprintf(buf, len, "%s", key);
}

/* obj must be an object whose keys are all in spec, with the right types, no duplicates. */
static PetscErrorCode CheckObject(const char *src, const char *path, const cJSON *obj, const KeySpec *spec, PetscInt n, const char *what)
{
  PetscFunctionBeginUser;
  PetscCheck(cJSON_IsObject(obj), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: expected an object", src, path[0] ? path : "(top level)");
  for (const cJSON *it = obj->child; it; it = it->next) {
    char     kp[256];
    PetscInt k;
    KeyPath(kp, sizeof(kp), path, it->string ? it->string : "?");
    for (const cJSON *jt = obj->child; jt != it; jt = jt->next)
      PetscCheck(strcmp(jt->string, it->string), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: duplicate key", src, kp);
    for (k = 0; k < n; k++)
      if (!strcmp(spec[k].name, it->string)) break;
    if (k == n) {
      const char *s = Suggest(it->string, spec, n);
      if (s) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: unknown key (did you mean %s?)", src, kp, s);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: unknown key%s%s", src, kp, what ? " " : "", what ? what : "");
    }
    PetscCheck(TypeOk(it, spec[k].type), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: expected %s", src, kp, TypeWord(spec[k].type));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode GetReal(const char *src, const char *path, const cJSON *obj, const char *key, PetscReal lo, PetscReal hi, PetscBool lo_open, PetscReal *v)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  char         kp[256];
  PetscFunctionBeginUser;
  if (!it) PetscFunctionReturn(0);
  KeyPath(kp, sizeof(kp), path, key);
  PetscCheck(cJSON_IsNumber(it) && isfinite(it->valuedouble), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: expected a number", src, kp);
  PetscCheck(lo_open ? it->valuedouble > lo : it->valuedouble >= lo, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: %g is out of range (must be %s %g)", src, kp, it->valuedouble, lo_open ? ">" : ">=", (double)lo);
  PetscCheck(it->valuedouble <= hi, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: %g is out of range (must be <= %g)", src, kp, it->valuedouble, (double)hi);
  *v = it->valuedouble;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetInt(const char *src, const char *path, const cJSON *obj, const char *key, PetscInt lo, PetscInt hi, PetscInt *v)
{
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  char         kp[256];
  PetscFunctionBeginUser;
  if (!it) PetscFunctionReturn(0);
  KeyPath(kp, sizeof(kp), path, key);
  PetscCheck(TypeOk(it, K_INT), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: expected an integer", src, kp);
  PetscCheck(it->valuedouble >= (double)lo && it->valuedouble <= (double)hi, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: %g is out of range (must be %" PetscInt_FMT "..%" PetscInt_FMT ")", src, kp, it->valuedouble, lo, hi);
  *v = (PetscInt)it->valuedouble;
  PetscFunctionReturn(0);
}

/* A name that becomes a file stem: non-empty, [A-Za-z0-9_.-], no leading '.'. */
static PetscErrorCode CheckName(const char *src, const char *kp, const char *s, size_t maxlen)
{
  PetscFunctionBeginUser;
  PetscCheck(s[0] && s[0] != '.', PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: must be a non-empty name not starting with '.'", src, kp);
  PetscCheck(strlen(s) < maxlen, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: longer than %d characters", src, kp, (int)maxlen - 1);
  for (const char *p = s; *p; p++)
    PetscCheck(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.', PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: only letters, digits, '_', '-' and '.' are allowed", src, kp);
  PetscFunctionReturn(0);
}

/* what: how messages name the path ("case.json: input.dicom"). */
static PetscErrorCode ExpandPathNamed(const char *in, const char *base_dir, const char *out_dir, char *buf, size_t len, const char *what)
{
  char   tmp[PETSC_MAX_PATH_LEN];
  size_t o = 0;
  PetscFunctionBeginUser;
  PetscCheck(in && in[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: empty path", what);
  for (const char *p = in; *p;) {
    if (p[0] == '$' && p[1] == '{') {
      const char *end = strchr(p, '}');
      char        var[64], val[PETSC_MAX_PATH_LEN];
      size_t      lv;
      PetscCheck(end && (size_t)(end - p - 2) < sizeof(var), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: unterminated ${...} in %s", what, in);
      memcpy(var, p + 2, (size_t)(end - p - 2));
      var[end - p - 2] = 0;
      if (!strcmp(var, "HEMOTWIN_DATA")) PetscCall(HtData_Dir(val, sizeof(val)));
      else if (!strcmp(var, "OUT")) {
        PetscCheck(out_dir && out_dir[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: ${OUT} used but no output folder given (--out)", what);
        /* --out is relative to the current folder, not to the case file's. */
        if (out_dir[0] == '/') PetscCall(PetscStrncpy(val, out_dir, sizeof(val)));
        else {
          char cwd[PETSC_MAX_PATH_LEN];
          PetscCheck(getcwd(cwd, sizeof(cwd)), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "%s: cannot resolve the output folder %s (current folder unknown)", what, out_dir);
          PetscCall(HtPath_Join(val, sizeof(val), cwd, out_dir));
        }
      } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: unknown variable ${%s} (known: ${HEMOTWIN_DATA}, ${OUT})", what, var);
      lv = strlen(val);
      PetscCheck(o + lv + 1 < sizeof(tmp), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: path too long after expansion", what);
      memcpy(tmp + o, val, lv);
      o += lv;
      p = end + 1;
    } else {
      PetscCheck(o + 2 < sizeof(tmp), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: path too long", what);
      tmp[o++] = *p++;
    }
  }
  tmp[o] = 0;
  if (tmp[0] == '/' || !base_dir || !base_dir[0]) PetscCall(PetscSNPrintf(buf, len, "%s", tmp));
  else PetscCall(HtPath_Join(buf, len, base_dir, tmp));
  PetscCheck(strlen(buf) + 1 < len, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: path too long after expansion", what);
  PetscFunctionReturn(0);
}

PetscErrorCode HtCase_ExpandPath(const char *in, const char *base_dir, const char *out_dir, char *buf, size_t len)
{
  char what[PETSC_MAX_PATH_LEN + 8];
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(what, sizeof(what), "path %s", in ? in : "(null)"));
  PetscCall(ExpandPathNamed(in, base_dir, out_dir, buf, len, what));
  PetscFunctionReturn(0);
}

/* ---- sections ------------------------------------------------------------------------------ */
static PetscErrorCode ParseInput(const char *src, const cJSON *in, const char *base, const char *out, HtCase *c)
{
  static const KeySpec spec[] = {
    {"dicom",        K_STRING},
    {"series_uid",   K_STRING},
    {"phantom_seed", K_INT   }
  };
  const cJSON *d;
  PetscFunctionBeginUser;
  PetscCall(CheckObject(src, "input", in, spec, 3, NULL));
  d = cJSON_GetObjectItemCaseSensitive(in, "dicom");
  PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: input.dicom: missing (the DICOM folder to read)", src);
  PetscCheck(d->valuestring[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: input.dicom: empty path", src);
  {
    char what[PETSC_MAX_PATH_LEN + 16];
    PetscCall(PetscSNPrintf(what, sizeof(what), "%s: input.dicom", src));
    PetscCall(ExpandPathNamed(d->valuestring, base, out, c->dicom_dir, sizeof(c->dicom_dir), what));
  }
  d = cJSON_GetObjectItemCaseSensitive(in, "series_uid");
  if (d) {
    PetscCheck(strlen(d->valuestring) < sizeof(c->series_uid), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: input.series_uid: longer than 64 characters", src);
    PetscCall(PetscStrncpy(c->series_uid, d->valuestring, sizeof(c->series_uid)));
  }
  if (cJSON_GetObjectItemCaseSensitive(in, "phantom_seed")) {
    c->write_phantom = PETSC_TRUE;
    PetscCall(GetInt(src, "input", in, "phantom_seed", 0, 2147483647, &c->phantom_seed));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ParseCandidate(const char *src, const cJSON *o, PetscInt idx, HtCase *c)
{
  static const KeySpec all[] = {
    {"name",             K_STRING},
    {"type",             K_STRING},
    {"lesion",           K_ANY   },
    {"success_fraction", K_NUMBER},
    {"radius_mm",        K_NUMBER},
    {"margin_mm",        K_NUMBER},
    {"length_mm",        K_NUMBER}
  };
  char             path[64], kp[96];
  const cJSON     *t, *nm, *les;
  HtCaseCandidate *cd = &c->cand[idx];
  PetscInt         nallowed;
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "candidates[%" PetscInt_FMT "]", idx));
  PetscCall(CheckObject(src, path, o, all, 7, NULL));
  nm = cJSON_GetObjectItemCaseSensitive(o, "name");
  t  = cJSON_GetObjectItemCaseSensitive(o, "type");
  PetscCheck(nm, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s.name: missing", src, path);
  PetscCheck(t, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s.type: missing (baseline, stent or bypass)", src, path);
  PetscCall(PetscSNPrintf(kp, sizeof(kp), "%s.name", path));
  PetscCall(CheckName(src, kp, nm->valuestring, sizeof(cd->name)));
  PetscCall(PetscStrncpy(cd->name, nm->valuestring, sizeof(cd->name)));
  for (PetscInt i = 0; i < idx; i++) PetscCheck(strcmp(c->cand[i].name, cd->name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: name %s already used by candidates[%" PetscInt_FMT "]", src, kp, cd->name, i);
  if (!strcmp(t->valuestring, "baseline")) {
    cd->type = HT_CAND_BASELINE;
    nallowed = 2;
  } else if (!strcmp(t->valuestring, "stent")) {
    cd->type = HT_CAND_STENT;
    nallowed = 4;
  } else if (!strcmp(t->valuestring, "bypass")) {
    cd->type = HT_CAND_BYPASS;
    nallowed = 7;
  } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s.type: unknown candidate type \"%s\" (baseline, stent or bypass)", src, path, t->valuestring);
  /* Keys that exist but do not belong to this type are errors too (a stent has no radius_mm). */
  for (const cJSON *it = o->child; it; it = it->next) {
    PetscBool ok = PETSC_FALSE;
    if (cd->type == HT_CAND_BYPASS && !strcmp(it->string, "success_fraction")) ok = PETSC_FALSE;
    else
      for (PetscInt k = 0; k < nallowed; k++)
        if (!strcmp(it->string, all[k].name)) ok = PETSC_TRUE;
    PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s.%s: not a key of a %s candidate", src, path, it->string, t->valuestring);
  }
  cd->lesion           = -1;
  cd->success_fraction = 1.0;
  cd->radius_mm        = 6.0;
  cd->margin_mm        = 15.0;
  cd->length_mm        = 0.0;
  les                  = cJSON_GetObjectItemCaseSensitive(o, "lesion");
  if (les) {
    if (cJSON_IsString(les)) PetscCheck(!strcmp(les->valuestring, "auto"), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s.lesion: expected \"auto\" or a lesion index", src, path);
    else {
      PetscCheck(TypeOk(les, K_INT) && les->valuedouble >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s.lesion: expected \"auto\" or a lesion index >= 0", src, path);
      cd->lesion = (PetscInt)les->valuedouble;
    }
  }
  PetscCall(GetReal(src, path, o, "success_fraction", 0.0, 1.0, PETSC_FALSE, &cd->success_fraction));
  PetscCall(GetReal(src, path, o, "radius_mm", 0.5, 30.0, PETSC_FALSE, &cd->radius_mm));
  PetscCall(GetReal(src, path, o, "margin_mm", 0.0, 200.0, PETSC_FALSE, &cd->margin_mm));
  PetscCall(GetReal(src, path, o, "length_mm", 0.0, 1000.0, PETSC_FALSE, &cd->length_mm));
  PetscFunctionReturn(0);
}

static PetscErrorCode ParseRoot(const char *src, const cJSON *root, const char *base, const char *out, HtCase *c)
{
  static const KeySpec top[] = {
    {"case",         K_STRING},
    {"input",        K_OBJECT},
    {"physiology",   K_OBJECT},
    {"segmentation", K_OBJECT},
    {"centerline",   K_OBJECT},
    {"meshing",      K_OBJECT},
    {"simulation",   K_OBJECT},
    {"lesions",      K_OBJECT},
    {"candidates",   K_ARRAY },
    {"scoring",      K_OBJECT},
    {"description",  K_STRING}  /* free text for humans; never logged */
  };
  static const KeySpec phys[] = {
    {"heart_rate_bpm",       K_NUMBER},
    {"cardiac_output_L_min", K_NUMBER},
    {"mean_pressure_mmHg",   K_NUMBER},
    {"pulse_pressure_mmHg",  K_NUMBER},
    {"blood_density_g_cm3",  K_NUMBER},
    {"blood_viscosity_P",    K_NUMBER}
  };
  static const KeySpec seg[]   = {
    {"min_HU", K_NUMBER},
    {"max_HU", K_NUMBER}
  };
  static const KeySpec cl[]    = {
    {"resample_mm",   K_NUMBER},
    {"min_branch_mm", K_NUMBER}
  };
  static const KeySpec mesh[]  = {
    {"mesh_size_mm",                 K_NUMBER},
    {"surface_smoothing_iterations", K_INT   },
    {"volume_mesh",                  K_BOOL  },
    {"required",                     K_BOOL  }
  };
  static const KeySpec sim[]   = {
    {"points_per_cycle",     K_INT   },
    {"max_cycles",           K_INT   },
    {"cycle_tolerance_mmHg", K_NUMBER}
  };
  static const KeySpec les[]   = {
    {"min_severity", K_NUMBER}
  };
  static const KeySpec score[] = {
    {"weights", K_OBJECT}
  };
  const cJSON *it, *sec;
  PetscFunctionBeginUser;
  PetscCall(CheckObject(src, "", root, top, (PetscInt)(sizeof(top) / sizeof(top[0])), NULL));
  it = cJSON_GetObjectItemCaseSensitive(root, "case");
  PetscCheck(it, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: case: missing (the case name)", src);
  PetscCall(CheckName(src, "case", it->valuestring, sizeof(c->name)));
  PetscCall(PetscStrncpy(c->name, it->valuestring, sizeof(c->name)));

  sec = cJSON_GetObjectItemCaseSensitive(root, "input");
  PetscCheck(sec, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: input: missing (needs input.dicom)", src);
  PetscCall(ParseInput(src, sec, base, out, c));

  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "physiology"))) {
    PetscCall(CheckObject(src, "physiology", sec, phys, 6, NULL));
    PetscCall(GetReal(src, "physiology", sec, "heart_rate_bpm", 20, 250, PETSC_FALSE, &c->heart_rate_bpm));
    PetscCall(GetReal(src, "physiology", sec, "cardiac_output_L_min", 0, 40, PETSC_TRUE, &c->cardiac_output_L_min));
    PetscCall(GetReal(src, "physiology", sec, "mean_pressure_mmHg", 20, 250, PETSC_FALSE, &c->mean_pressure_mmHg));
    PetscCall(GetReal(src, "physiology", sec, "pulse_pressure_mmHg", 0, 200, PETSC_TRUE, &c->pulse_pressure_mmHg));
    PetscCall(GetReal(src, "physiology", sec, "blood_density_g_cm3", 0.5, 2.0, PETSC_FALSE, &c->blood_density_g_cm3));
    PetscCall(GetReal(src, "physiology", sec, "blood_viscosity_P", 0.001, 1.0, PETSC_FALSE, &c->blood_viscosity_P));
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "segmentation"))) {
    PetscCall(CheckObject(src, "segmentation", sec, seg, 2, NULL));
    PetscCall(GetReal(src, "segmentation", sec, "min_HU", -1100, 4000, PETSC_FALSE, &c->seg_min_HU));
    PetscCall(GetReal(src, "segmentation", sec, "max_HU", -1100, 4000, PETSC_FALSE, &c->seg_max_HU));
    PetscCheck(!(c->seg_min_HU >= c->seg_max_HU), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: segmentation.min_HU: must be below segmentation.max_HU", src);
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "centerline"))) {
    PetscCall(CheckObject(src, "centerline", sec, cl, 2, NULL));
    PetscCall(GetReal(src, "centerline", sec, "resample_mm", 0.1, 10, PETSC_FALSE, &c->cl_resample_mm));
    PetscCall(GetReal(src, "centerline", sec, "min_branch_mm", 0, 200, PETSC_FALSE, &c->cl_min_branch_mm));
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "meshing"))) {
    const cJSON *vm;
    PetscCall(CheckObject(src, "meshing", sec, mesh, 4, NULL));
    PetscCall(GetReal(src, "meshing", sec, "mesh_size_mm", 0.2, 20, PETSC_FALSE, &c->mesh_size_mm));
    PetscCall(GetInt(src, "meshing", sec, "surface_smoothing_iterations", 0, 1000, &c->surface_smoothing_iterations));
    if ((vm = cJSON_GetObjectItemCaseSensitive(sec, "volume_mesh"))) c->volume_mesh = cJSON_IsTrue(vm) ? PETSC_TRUE : PETSC_FALSE;
    if ((vm = cJSON_GetObjectItemCaseSensitive(sec, "required"))) c->mesh_required = cJSON_IsTrue(vm) ? PETSC_TRUE : PETSC_FALSE;
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "simulation"))) {
    PetscCall(CheckObject(src, "simulation", sec, sim, 3, NULL));
    PetscCall(GetInt(src, "simulation", sec, "points_per_cycle", 10, 100000, &c->points_per_cycle));
    PetscCall(GetInt(src, "simulation", sec, "max_cycles", 2, 1000, &c->max_cycles));
    PetscCall(GetReal(src, "simulation", sec, "cycle_tolerance_mmHg", 0, 100, PETSC_TRUE, &c->cycle_tolerance_mmHg));
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "lesions"))) {
    PetscCall(CheckObject(src, "lesions", sec, les, 1, NULL));
    PetscCall(GetReal(src, "lesions", sec, "min_severity", 0, 1, PETSC_TRUE, &c->lesion_min_severity));
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "candidates"))) {
    PetscInt n = cJSON_GetArraySize(sec), i = 0;
    PetscCheck(n >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: candidates: empty (give at least a baseline)", src);
    PetscCheck(n <= HT_CASE_MAX_CANDIDATES, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: candidates: %" PetscInt_FMT " given, at most %d", src, n, HT_CASE_MAX_CANDIDATES);
    for (it = sec->child; it; it = it->next, i++) {
      PetscCheck(cJSON_IsObject(it), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: candidates[%" PetscInt_FMT "]: expected an object", src, i);
      PetscCall(ParseCandidate(src, it, i, c));
    }
    c->ncand = n;
    {
      PetscInt nb = 0;
      for (i = 0; i < n; i++) nb += c->cand[i].type == HT_CAND_BASELINE;
      /* Treatments are scored against the untreated state (flow-split change), so exactly one baseline. */
      PetscCheck(nb == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: candidates: %" PetscInt_FMT " candidates of type baseline, exactly one is needed (the reference for the others)", src, nb);
    }
  } else {
    c->ncand = 1;
    PetscCall(PetscStrncpy(c->cand[0].name, "baseline", sizeof(c->cand[0].name)));
    c->cand[0].type   = HT_CAND_BASELINE;
    c->cand[0].lesion = -1;
  }
  if ((sec = cJSON_GetObjectItemCaseSensitive(root, "scoring"))) {
    const cJSON *w;
    PetscCall(CheckObject(src, "scoring", sec, score, 1, NULL));
    if ((w = cJSON_GetObjectItemCaseSensitive(sec, "weights"))) {
      PetscInt n = 0;
      for (it = w->child; it; it = it->next) {
        char kp[160];
        PetscCall(PetscSNPrintf(kp, sizeof(kp), "scoring.weights.%s", it->string));
        for (const cJSON *jt = w->child; jt != it; jt = jt->next) PetscCheck(strcmp(jt->string, it->string), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: duplicate key", src, kp);
        PetscCheck(n < HT_CASE_MAX_WEIGHTS, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: scoring.weights: more than %d weights", src, HT_CASE_MAX_WEIGHTS);
        PetscCheck(strlen(it->string) < sizeof(c->weights[0].name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: metric name too long", src, kp);
        PetscCheck(cJSON_IsNumber(it) && isfinite(it->valuedouble), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: expected a number", src, kp);
        PetscCheck(it->valuedouble >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s: weight must be >= 0", src, kp);
        PetscCall(PetscStrncpy(c->weights[n].name, it->string, sizeof(c->weights[n].name)));
        c->weights[n].weight = it->valuedouble;
        n++;
      }
      c->nweights = n;
    }
  }
  PetscFunctionReturn(0);
}

/* 1-based line and column of a position in text (for JSON syntax errors). */
static void LineCol(const char *text, const char *pos, int *line, int *col)
{
  *line = 1;
  *col  = 1;
  for (const char *p = text; p && *p && p < pos; p++) {
    if (*p == '\n') {
      (*line)++;
      *col = 1;
    } else (*col)++;
  }
}

PetscErrorCode HtCase_LoadString(const char *text, const char *src, const char *base_dir, const char *out_dir, HtCase *c)
{
  const char    *end = NULL;
  cJSON         *root;
  PetscErrorCode ierr;
  PetscFunctionBeginUser;
  PetscCall(HtCase_SetDefaults(c));
  root = cJSON_ParseWithOpts(text, &end, 1);
  if (!root) {
    int line, col;
    LineCol(text, end ? end : text, &line, &col);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: not valid JSON (syntax error at line %d, column %d)", src, line, col);
  }
  /* Parse with the tree owned here so it is freed on error too. */
  ierr = ParseRoot(src, root, base_dir, out_dir, c);
  cJSON_Delete(root);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode HtCase_Load(const char *path, const char *out_dir, HtCase *c)
{
  FILE          *f;
  long           n;
  char          *text;
  char           dir[PETSC_MAX_PATH_LEN];
  const char    *slash;
  size_t         got;
  PetscErrorCode ierr;
  PetscFunctionBeginUser;
  f = fopen(path, "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "case file %s: cannot open", path);
  if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
    fclose(f);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "case file %s: cannot read (is it a folder?)", path);
  }
  if (n > (1L << 24)) {
    fclose(f);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "case file %s: %ld bytes, too large for a case file", path, n);
  }
  text = (char *)malloc((size_t)n + 1);
  if (!text) {
    fclose(f);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "case file %s: out of memory", path);
  }
  got = fread(text, 1, (size_t)n, f);
  fclose(f);
  if (got != (size_t)n) {
    free(text);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "case file %s: short read", path);
  }
  text[n] = 0;
  if (memchr(text, 0, (size_t)n)) {
    free(text);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: not valid JSON (binary content)", path);
  }
  slash = strrchr(path, '/');
  if (slash) {
    size_t l = (size_t)(slash - path);
    if (l == 0) l = 1;
    if (l >= sizeof(dir)) l = sizeof(dir) - 1;
    memcpy(dir, path, l);
    dir[l] = 0;
  } else PetscCall(PetscStrncpy(dir, ".", sizeof(dir)));
  ierr = HtCase_LoadString(text, path, dir, out_dir, c);
  free(text);
  PetscCall(ierr);
  PetscCall(PetscStrncpy(c->path, path, sizeof(c->path)));
  PetscCall(PetscStrncpy(c->dir, dir, sizeof(c->dir)));
  PetscFunctionReturn(0);
}
