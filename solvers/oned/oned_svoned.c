/* hemotwin 1D engine: svOneDSolver .in input (cgs units converted to SI).
 * Supported: NODE, SEGMENT, JOINT/JOINTINLET/JOINTOUTLET (topology comes from the segments' nodes),
 * DATATABLE, SOLVEROPTIONS (inlet table; FLOW, PRESSURE or PRESSURE_WAVE inlet), MATERIAL LINEAR
 * (p = p0 + k1 (sqrt(S/S0) - 1), the engine's elastic law with beta/A0 = k1/sqrt(S0)) and OLUFSEN
 * (p = p0 + (4/3)(k1 exp(k2 r0) + k3)(1 - sqrt(S0/S)); steady solver only), outlets RESISTANCE (R[, Pd]),
 * RCR (Rp, C, Rd[, Pd]) and PRESSURE (P), segment loss STENOSIS (steady solver). Not supported (clear
 * error): CORONARY outlets, other minor losses. */
#include "oned_impl.h"
#include <ctype.h>

#define CGS_LEN 1e-2      /* cm -> m */
#define CGS_P   0.1       /* dyn/cm^2 -> Pa */
#define CGS_Q   1e-6      /* mL/s -> m^3/s */
#define CGS_R   1e5       /* dyn s/cm^5 -> Pa s/m^3 */
#define CGS_C   1e-5      /* cm^5/dyn -> m^3/Pa */

typedef struct {
  char       name[64];
  PetscInt   n;
  PetscReal *t, *y;
} Table;

typedef struct {
  char      name[64];
  PetscBool linear;
  PetscReal rho, mu, p0, zeta, k1, k2, k3;
} Material;

typedef struct {
  char      name[64], mat[64], bc[32], table[64];
  PetscInt  id, nel, in, out;
  PetscReal L, Ain, Aout;
  char      loss[32];
} Segment;

static PetscErrorCode FindTable(const char *path, Table *tb, PetscInt ntb, const char *name, Table **t)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ntb; i++)
    if (!strcmp(tb[i].name, name)) {
      *t = &tb[i];
      PetscFunctionReturn(0);
    }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: DATATABLE %s not found", path, name);
}

PetscErrorCode HtOneD_LoadSvOneD(HtOneD od, const char *path)
{
  FILE          *f;
  char           line[4096];
  Table          tb[64];
  Material       mat[16];
  Segment       *seg;
  PetscInt       ntb = 0, nmat = 0, nseg = 0, nsegalloc = 256, ln = 0;
  char           inlet_table[64] = "", inlet_type[32] = "";
  PetscErrorCode ierr = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(od->source, path, sizeof(od->source)));
  f = fopen(path, "r");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open svOneDSolver input", path);
  PetscCall(PetscMalloc1(nsegalloc, &seg));
  while (!ierr && fgets(line, sizeof line, f)) {
    char kw[64];
    ln++;
    if (sscanf(line, "%63s", kw) != 1 || kw[0] == '#') continue;
    if (!strcmp(kw, "SEGMENT")) {
      Segment s;
      double  L, ai, ao, q0, ang;
      int     id, nel, in, out, up, br;
      if (sscanf(line, "%*s %63s %d %lf %d %d %d %lf %lf %lf %63s %31s %lf %d %d %31s %63s", s.name, &id, &L, &nel, &in, &out, &ai, &ao, &q0, s.mat, s.loss, &ang, &up, &br, s.bc, s.table) != 16) {
        ierr = 1;
        break;
      }
      s.id = id; s.nel = nel; s.in = in; s.out = out; s.L = L; s.Ain = ai; s.Aout = ao;
      if (nseg == nsegalloc) {
        Segment *n2;
        PetscCall(PetscMalloc1(2 * nsegalloc, &n2));
        PetscCall(PetscArraycpy(n2, seg, nseg));
        PetscCall(PetscFree(seg));
        seg = n2;
        nsegalloc *= 2;
      }
      seg[nseg++] = s;
    } else if (!strcmp(kw, "DATATABLE")) {
      Table *t = &tb[ntb];
      PetscInt na = 64;
      if (ntb == 64 || sscanf(line, "%*s %63s", t->name) != 1) {
        ierr = 1;
        break;
      }
      t->n = 0;
      PetscCall(PetscMalloc2(na, &t->t, na, &t->y));
      while (fgets(line, sizeof line, f)) {
        double a, b;
        ln++;
        if (strstr(line, "ENDDATATABLE")) break;
        if (sscanf(line, "%lf %lf", &a, &b) != 2) continue;
        if (t->n == na) {
          PetscReal *t2, *y2;
          PetscCall(PetscMalloc2(2 * na, &t2, 2 * na, &y2));
          PetscCall(PetscArraycpy(t2, t->t, t->n));
          PetscCall(PetscArraycpy(y2, t->y, t->n));
          PetscCall(PetscFree2(t->t, t->y));
          t->t = t2; t->y = y2; na *= 2;
        }
        t->t[t->n] = a;
        t->y[t->n++] = b;
      }
      ntb++;
    } else if (!strcmp(kw, "SOLVEROPTIONS")) {
      if (sscanf(line, "%*s %*s %*s %*s %*s %63s %31s", inlet_table, inlet_type) != 2) {
        ierr = 1;
        break;
      }
    } else if (!strcmp(kw, "MATERIAL")) {
      Material *m = &mat[nmat];
      char      type[32];
      double    rho, mu, p0, z, k1, k2 = 0, k3 = 0;
      if (nmat == 16 || sscanf(line, "%*s %63s %31s %lf %lf %lf %lf %lf %lf %lf", m->name, type, &rho, &mu, &p0, &z, &k1, &k2, &k3) < 7) {
        ierr = 1;
        break;
      }
      m->linear = (PetscBool)!strcmp(type, "LINEAR");
      if (!m->linear && strcmp(type, "OLUFSEN")) {
        fclose(f);
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s line %" PetscInt_FMT ": unknown material type %s", path, ln, type);
      }
      m->rho = rho; m->mu = mu; m->p0 = p0; m->zeta = z; m->k1 = k1; m->k2 = k2; m->k3 = k3;
      nmat++;
    }
  }
  fclose(f);
  if (ierr) {
    for (PetscInt i = 0; i < ntb; i++) PetscCall(PetscFree2(tb[i].t, tb[i].y));
    PetscCall(PetscFree(seg));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s line %" PetscInt_FMT ": malformed %s card", path, ln, "svOneDSolver");
  }
  for (PetscInt i = 0; i < nseg && !ierr; i++) {
    Segment     *s = &seg[i];
    Material    *m = NULL;
    HtOneDVessel v;
    for (PetscInt k = 0; k < nmat; k++)
      if (!strcmp(mat[k].name, s->mat)) m = &mat[k];
    if (!m) { ierr = PETSC_ERR_FILE_UNEXPECTED; PetscCall(PetscInfo(NULL, "material %s missing\n", s->mat)); break; }
    if (strcmp(s->loss, "NONE") && strcmp(s->loss, "STENOSIS")) { ierr = PETSC_ERR_USER_INPUT + 1000; break; }
    PetscCall(HtOneD_VesselDefaults(&v));
    PetscCall(PetscSNPrintf(v.label, sizeof v.label, "%s", s->name));
    v.sn = s->in; v.tn = s->out;
    v.L_m  = s->L * CGS_LEN;
    v.Rp_m = PetscSqrtReal(s->Ain / PETSC_PI) * CGS_LEN;
    v.Rd_m = PetscSqrtReal(s->Aout / PETSC_PI) * CGS_LEN;
    /* LINEAR: p = p0 + k1 (sqrt(S/S0) - 1) = p0 + (k1/sqrt(S0)) (sqrt S - sqrt S0); with h0 = R0 and
     * G = (4/3) sqrt(pi) E h0 / A0 = (4/3) E / sqrt(A0): E = (3/4) k1 (SI) gives G = k1 / sqrt(A0). */
    if (m->linear) {
      v.h0_m = 0.5 * (v.Rp_m + v.Rd_m);
      v.E_Pa = 0.75 * m->k1 * CGS_P;
    } else {
      v.law    = HT_ONED_LAW_OLUFSEN;
      v.k1_Pa  = m->k1 * CGS_P;
      v.k2_1_m = m->k2 / CGS_LEN;
      v.k3_Pa  = m->k3 * CGS_P;
    }
    v.Pext_Pa = m->p0 * CGS_P;
    v.gamma_profile = m->zeta;
    v.stenosis      = (PetscBool)!strcmp(s->loss, "STENOSIS");
    v.alpha         = 1.0 + 1.0 / (1.0 + m->zeta); /* svOneDSolver's momentum-flux correction 1 + delta */
    v.ncells = s->nel;
    if (!strcmp(s->bc, "PRESSURE")) {
      Table *t = NULL;
      PetscCall(FindTable(path, tb, ntb, s->table, &t));
      v.outlet  = HT_ONED_END_PRESSURE;
      v.Pout_Pa = t->y[0] * CGS_P;
    } else if (!strcmp(s->bc, "RESISTANCE") || !strcmp(s->bc, "RCR")) {
      Table *t = NULL;
      PetscCall(FindTable(path, tb, ntb, s->table, &t));
      if (s->bc[1] == 'E') {
        v.outlet = HT_ONED_END_RESISTANCE;
        v.R1_Pa_s_m3 = t->y[0] * CGS_R;
        if (t->n > 1) v.Pout_Pa = t->y[1] * CGS_P;
      } else {
        PetscCheck(t->n >= 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: RCR table %s needs Rp, C, Rd", path, t->name);
        v.outlet = HT_ONED_END_WK3;
        v.R1_Pa_s_m3 = t->y[0] * CGS_R;
        v.C_m3_Pa = t->y[1] * CGS_C;
        v.R2_Pa_s_m3 = t->y[2] * CGS_R;
        if (t->n > 3) v.Pout_Pa = t->y[3] * CGS_P;
      }
    } else if (strcmp(s->bc, "NOBOUND") && strcmp(s->bc, "NONE")) {
      ierr = PETSC_ERR_USER_INPUT + 2000;
      break;
    }
    PetscCall(HtOneD_SetBlood(od, m->rho * 1e3, m->mu * 0.1));
    PetscCall(HtOneD_AddVessel(od, &v));
  }
  if (!ierr) {
    Table *t = NULL;
    if (!strcmp(inlet_type, "FLOW")) {
      PetscCall(FindTable(path, tb, ntb, inlet_table, &t));
      for (PetscInt k = 0; k < t->n; k++) t->y[k] *= CGS_Q;
      PetscCall(HtOneD_SetInletFlow(od, t->n, t->t, t->y));
    } else if (!strcmp(inlet_type, "PRESSURE") || !strcmp(inlet_type, "PRESSURE_WAVE")) {
      PetscCall(FindTable(path, tb, ntb, inlet_table, &t));
      for (PetscInt k = 0; k < t->n; k++) t->y[k] *= CGS_P;
      PetscCall(HtOneD_SetInletPressure(od, t->n, t->t, t->y));
    } else ierr = PETSC_ERR_USER_INPUT + 3000;
  }
  for (PetscInt i = 0; i < ntb; i++) PetscCall(PetscFree2(tb[i].t, tb[i].y));
  PetscCall(PetscFree(seg));
  PetscCheck(ierr != PETSC_ERR_USER_INPUT + 1000, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: segment minor-loss model not supported (NONE, STENOSIS)", path);
  PetscCheck(ierr != PETSC_ERR_USER_INPUT + 2000, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: outlet type not supported (RESISTANCE, RCR, PRESSURE)", path);
  PetscCheck(ierr != PETSC_ERR_USER_INPUT + 3000, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "file %s: inlet type %s not supported (FLOW, PRESSURE, PRESSURE_WAVE)", path, inlet_type);
  PetscCheck(!ierr, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: unknown material referenced by a segment", path);
  PetscCheck(nseg > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: no SEGMENT cards", path);
  PetscFunctionReturn(0);
}
