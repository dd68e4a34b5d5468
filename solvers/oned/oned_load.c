/* hemotwin 1D engine: openBF YAML configs and inflow files.
 * openBF's configs use a small YAML subset: top-level scalars, the maps "blood" and "solver", and the
 * list "network" of flat vessel maps. That subset is parsed here line by line. */
#include "oned_impl.h"
#include <ctype.h>
#include <errno.h>

static char *Trim(char *s)
{
  char *e;
  while (isspace((unsigned char)*s)) s++;
  e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
  return s;
}

static void Unquote(char *s)
{
  size_t n = strlen(s);
  if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
    memmove(s, s + 1, n - 2);
    s[n - 2] = 0;
  }
}

static PetscErrorCode ParseReal(const char *path, PetscInt line, const char *key, const char *val, PetscReal *x)
{
  char  *end;
  double d;

  PetscFunctionBeginUser;
  errno = 0;
  d     = strtod(val, &end);
  PetscCheck(end != val && !*Trim(end) && !errno && isfinite(d), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": %s: '%s' is not a number", path, line, key, val);
  *x = (PetscReal)d;
  PetscFunctionReturn(0);
}

/* Read a two-column (t, Q) inflow file; '#' comments and blank lines are skipped. */
static PetscErrorCode ReadInflow(HtOneD od, const char *path)
{
  FILE      *f = fopen(path, "r");
  char       buf[512];
  PetscInt   n = 0, na = 256, line = 0;
  PetscReal *t, *q;

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open inflow waveform", path);
  PetscCall(PetscMalloc2(na, &t, na, &q));
  while (fgets(buf, sizeof buf, f)) {
    char  *s = Trim(buf), *e1, *e2;
    double a, b;
    line++;
    if (!*s || *s == '#') continue;
    a = strtod(s, &e1);
    b = strtod(e1, &e2);
    if (e1 == s || e2 == e1 || !isfinite(a) || !isfinite(b)) {
      fclose(f);
      PetscCall(PetscFree2(t, q));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": expected two numbers (t [s], Q [m^3/s])", path, line);
    }
    if (n == na) {
      PetscReal *t2, *q2;
      PetscCall(PetscMalloc2(2 * na, &t2, 2 * na, &q2));
      PetscCall(PetscArraycpy(t2, t, n));
      PetscCall(PetscArraycpy(q2, q, n));
      PetscCall(PetscFree2(t, q));
      t  = t2;
      q  = q2;
      na = 2 * na;
    }
    t[n]   = a;
    q[n++] = b;
  }
  fclose(f);
  {
    /* digitised waveforms may list a few samples out of order: sort by time (insertion sort, nearly
     * sorted input) and merge duplicates, with a warning */
    PetscInt nswap = 0, m = 0;
    for (PetscInt i = 1; i < n; i++) {
      PetscReal ti = t[i], qi = q[i];
      PetscInt  j  = i - 1;
      while (j >= 0 && t[j] > ti) {
        t[j + 1] = t[j];
        q[j + 1] = q[j];
        j--;
        nswap++;
      }
      t[j + 1] = ti;
      q[j + 1] = qi;
    }
    for (PetscInt i = 0; i < n; i++) {
      if (m > 0 && t[i] == t[m - 1]) {
        q[m - 1] = 0.5 * (q[m - 1] + q[i]);
        nswap++;
        continue;
      }
      t[m] = t[i];
      q[m++] = q[i];
    }
    n = m;
    if (nswap) HtLog_Warn("file %s: inflow samples were not in time order (sorted; %" PetscInt_FMT " moves/merges)", path, nswap);
  }
  if (n >= 1 && t[0] != 0.0) { /* waveforms that start late: shift to 0 (period = span) */
    PetscReal t0 = t[0];
    for (PetscInt i = 0; i < n; i++) t[i] -= t0;
  }
  {
    PetscErrorCode ierr = HtOneD_SetInletFlow(od, n, t, q);
    PetscCall(PetscFree2(t, q));
    PetscCheck(!ierr, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: invalid inflow waveform (%" PetscInt_FMT " samples; times must increase from 0)", path, n);
  }
  PetscFunctionReturn(0);
}

typedef struct {
  HtOneDVessel v;
  PetscBool    has_R1, has_R2, has_C, has_Rt, has_outlet, has_match, match, has_R0;
  char         outlet[32];
  PetscInt     line;
} VesselIn;

static PetscErrorCode FinishVessel(HtOneD od, const char *path, VesselIn *vi)
{
  HtOneDVessel *v = &vi->v;

  PetscFunctionBeginUser;
  PetscCheck(v->label[0], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": vessel without label", path, vi->line);
  PetscCheck(v->sn >= 0 && v->tn >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: vessel %s: sn and tn (node ids) are required", path, v->label);
  PetscCheck(v->L_m != 0 && v->E_Pa != 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: vessel %s: L and E are required", path, v->label);
  PetscCheck(vi->has_R0 || (v->Rp_m != 0 && v->Rd_m != 0), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: vessel %s: give R0 or both Rp and Rd", path, v->label);
  if (vi->has_outlet) {
    if (!strcmp(vi->outlet, "wk3") || !strcmp(vi->outlet, "wk2")) v->outlet = HT_ONED_END_WK3;
    else if (!strcmp(vi->outlet, "reflection")) v->outlet = HT_ONED_END_REFLECTION;
    else if (!strcmp(vi->outlet, "resistance")) v->outlet = HT_ONED_END_RESISTANCE;
    else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: vessel %s: unknown outlet type '%s' (known: wk3, wk2, reflection, resistance)", path, v->label, vi->outlet);
  } else if (vi->has_R1 && vi->has_C) v->outlet = HT_ONED_END_WK3;
  else if (vi->has_R1) v->outlet = HT_ONED_END_RESISTANCE;
  else if (vi->has_Rt) v->outlet = HT_ONED_END_REFLECTION;
  if (v->outlet == HT_ONED_END_WK3) {
    PetscCheck(vi->has_R1 && vi->has_C, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: vessel %s: Windkessel outlet needs R1 and Cc", path, v->label);
    /* openBF: without R2 (or with inlet_impedance_matching), R1 is the total peripheral resistance
     * and the proximal resistance is matched to the vessel's characteristic impedance (set in SetUp). */
    if (!vi->has_R2 || (vi->has_match && vi->match)) v->R2_Pa_s_m3 = -v->R1_Pa_s_m3; /* marker: split later */
  }
  PetscCall(HtOneD_AddVessel(od, v));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetVesselKey(const char *path, PetscInt line, VesselIn *vi, const char *key, char *val)
{
  HtOneDVessel *v = &vi->v;
  PetscReal     x = 0;

  PetscFunctionBeginUser;
  if (!strcmp(key, "label")) {
    Unquote(val);
    PetscCheck(strlen(val) > 0 && strlen(val) < sizeof(v->label), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": label empty or longer than %d characters", path, line, (int)sizeof(v->label) - 1);
    for (const char *c = val; *c; c++)
      PetscCheck(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.', PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": label '%s' may only contain letters, digits, '_', '-', '.'", path, line, val);
    PetscCall(PetscStrncpy(v->label, val, sizeof(v->label)));
    PetscFunctionReturn(0);
  }
  if (!strcmp(key, "outlet")) {
    Unquote(val);
    PetscCall(PetscStrncpy(vi->outlet, val, sizeof(vi->outlet)));
    vi->has_outlet = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  if (!strcmp(key, "inlet_impedance_matching")) {
    vi->has_match = PETSC_TRUE;
    vi->match     = (!strcmp(val, "true") || !strcmp(val, "True")) ? PETSC_TRUE : PETSC_FALSE;
    PetscFunctionReturn(0);
  }
  if (!strcmp(key, "inlet") || !strcmp(key, "inlet_file") || !strcmp(key, "inlet_number")) {
    PetscFunctionReturn(0); /* the inlet node is found from the topology; the waveform is the top-level inlet_file */
  }
  PetscCall(ParseReal(path, line, key, val, &x));
  if (!strcmp(key, "sn") || !strcmp(key, "tn")) {
    PetscCheck(x == PetscFloorReal(x), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": %s must be an integer node id", path, line, key);
    if (key[0] == 's') v->sn = (PetscInt)x;
    else v->tn = (PetscInt)x;
  } else if (!strcmp(key, "L")) v->L_m = x;
  else if (!strcmp(key, "E")) v->E_Pa = x;
  else if (!strcmp(key, "R0")) {
    v->Rp_m = v->Rd_m = x;
    vi->has_R0        = PETSC_TRUE;
  } else if (!strcmp(key, "Rp")) v->Rp_m = x;
  else if (!strcmp(key, "Rd")) v->Rd_m = x;
  else if (!strcmp(key, "h0")) {
    PetscCheck(x > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s line %" PetscInt_FMT ": vessel %s: wall thickness h0 = %g must be positive", path, line, v->label, (double)x);
    v->h0_m = x;
  } else if (!strcmp(key, "M")) {
    PetscCheck(x >= 1 && x == PetscFloorReal(x), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s line %" PetscInt_FMT ": vessel %s: M = %g must be a positive integer", path, line, v->label, (double)x);
    v->ncells = (PetscInt)x;
  } else if (!strcmp(key, "gamma_profile") || !strcmp(key, "gamma profile")) v->gamma_profile = x;
  else if (!strcmp(key, "Pext")) v->Pext_Pa = x;
  else if (!strcmp(key, "Pout")) v->Pout_Pa = x;
  else if (!strcmp(key, "R1")) {
    v->R1_Pa_s_m3 = x;
    vi->has_R1    = PETSC_TRUE;
  } else if (!strcmp(key, "R2")) {
    v->R2_Pa_s_m3 = x;
    vi->has_R2    = PETSC_TRUE;
  } else if (!strcmp(key, "Cc")) {
    v->C_m3_Pa = x;
    vi->has_C  = PETSC_TRUE;
  } else if (!strcmp(key, "Rt")) {
    v->Rt      = x;
    vi->has_Rt = PETSC_TRUE;
  } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": vessel %s: unknown key '%s'", path, line, v->label[0] ? v->label : "?", key);
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_LoadOpenBF(HtOneD od, const char *path)
{
  FILE     *f;
  char      buf[1024], section[64] = "", project[256] = "", inlet[PETSC_MAX_PATH_LEN] = "", dir[PETSC_MAX_PATH_LEN], full[PETSC_MAX_PATH_LEN];
  PetscInt  line = 0, nvessel = 0;
  VesselIn  vi;
  PetscBool invessel = PETSC_FALSE;
  PetscReal cycles = -1, tol = -1, cfl = -1;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(od->source, path, sizeof(od->source)));
  f = fopen(path, "r");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open openBF config", path);
  while (fgets(buf, sizeof buf, f)) {
    char          *s, *colon, *key, *val, *hash;
    PetscInt       indent = 0;
    PetscBool      item   = PETSC_FALSE;
    PetscErrorCode ierr   = 0;
    line++;
    /* strip comments (a '#' outside quotes) */
    {
      PetscBool q1 = PETSC_FALSE, q2 = PETSC_FALSE;
      for (hash = buf; *hash; hash++) {
        if (*hash == '\'' && !q2) q1 = (PetscBool)!q1;
        else if (*hash == '"' && !q1) q2 = (PetscBool)!q2;
        else if (*hash == '#' && !q1 && !q2) {
          *hash = 0;
          break;
        }
      }
    }
    while (buf[indent] == ' ') indent++;
    s = Trim(buf);
    if (!*s) continue;
    if (s[0] == '-' && (s[1] == ' ' || !s[1])) {
      item = PETSC_TRUE;
      s    = Trim(s + 1);
    }
    colon = strchr(s, ':');
    if (!colon) {
      fclose(f);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": expected 'key: value'", path, line);
    }
    *colon = 0;
    key    = Trim(s);
    val    = Trim(colon + 1);
    if (indent == 0 && !item) {
      if (invessel) {
        ierr     = FinishVessel(od, path, &vi);
        invessel = PETSC_FALSE;
      }
      if (!ierr) {
        if (!*val) PetscCall(PetscStrncpy(section, key, sizeof(section)));
        else {
          section[0] = 0;
          Unquote(val);
          if (!strcmp(key, "project_name")) PetscCall(PetscStrncpy(project, val, sizeof(project)));
          else if (!strcmp(key, "inlet_file")) PetscCall(PetscStrncpy(inlet, val, sizeof(inlet)));
          /* write_results, output_directory, ...: output choices of openBF, not needed here */
        }
      }
    } else if (!strcmp(section, "blood")) {
      PetscReal x = 0;
      ierr        = ParseReal(path, line, key, val, &x);
      if (!ierr && !strcmp(key, "rho")) od->rho = x;
      else if (!ierr && !strcmp(key, "mu")) od->mu = x;
    } else if (!strcmp(section, "solver")) {
      PetscReal x = 0;
      if (!strcmp(key, "Ccfl")) ierr = ParseReal(path, line, key, val, &cfl);
      else if (!strcmp(key, "cycles")) ierr = ParseReal(path, line, key, val, &cycles);
      else if (!strcmp(key, "convergence_tolerance")) ierr = ParseReal(path, line, key, val, &tol);
      else if (!strcmp(key, "jump")) ierr = ParseReal(path, line, key, val, &x);
    } else if (!strcmp(section, "network")) {
      if (item) {
        if (invessel) ierr = FinishVessel(od, path, &vi);
        if (!ierr) {
          ierr = PetscMemzero(&vi, sizeof(vi));
          if (!ierr) ierr = HtOneD_VesselDefaults(&vi.v);
          invessel = PETSC_TRUE;
          vi.line  = line;
          nvessel++;
        }
      }
      if (!ierr) {
        if (!invessel) ierr = PETSC_ERR_FILE_UNEXPECTED;
        else ierr = SetVesselKey(path, line, &vi, key, val);
      }
    }
    if (ierr) {
      fclose(f);
      PetscCall(ierr);
    }
  }
  fclose(f);
  if (invessel) PetscCall(FinishVessel(od, path, &vi));
  PetscCheck(nvessel > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no 'network' list of vessels", path);
  PetscCheck(od->rho > 0 && od->mu > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: blood rho and mu must be positive", path);
  if (cfl > 0) od->cfl = PetscMin(cfl, 1.0);
  if (cycles > 0) od->max_cycles = PetscMax((PetscInt)cycles, 30);
  if (tol > 0) od->tol_Pa = tol * HT_MMHG_TO_PA; /* openBF's convergence_tolerance is in mmHg */
  /* inflow file: relative to the config; default <project>_inlet.dat as in openBF */
  PetscCall(PetscStrncpy(dir, path, sizeof(dir)));
  {
    char *sl = strrchr(dir, '/');
    if (sl) sl[1] = 0;
    else PetscCall(PetscStrncpy(dir, "./", sizeof(dir)));
  }
  if (!inlet[0]) {
    PetscCheck(project[0], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: neither inlet_file nor project_name given", path);
    PetscCall(PetscSNPrintf(inlet, sizeof(inlet), "%s_inlet.dat", project));
  }
  if (inlet[0] == '/') PetscCall(PetscStrncpy(full, inlet, sizeof(full)));
  else PetscCall(PetscSNPrintf(full, sizeof(full), "%s%s", dir, inlet));
  PetscCall(ReadInflow(od, full));
  PetscFunctionReturn(0);
}

PetscErrorCode HtOneD_LoadFile(HtOneD od, const char *path)
{
  size_t n = strlen(path);

  PetscFunctionBeginUser;
  if ((n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml"))) PetscCall(HtOneD_LoadOpenBF(od, path));
  else if (n > 3 && !strcmp(path + n - 3, ".in")) PetscCall(HtOneD_LoadSvOneD(od, path));
  else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: unknown 1D config type (expected openBF .yaml/.yml or svOneDSolver .in)", path);
  PetscFunctionReturn(0);
}
