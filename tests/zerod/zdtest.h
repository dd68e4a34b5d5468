/* Helpers shared by the 0D tests: read a CSV written by HtZeroD_WriteCSV and a reference result
 * stored as pandas DataFrame.to_json() (column layout {col: {row: value}}). */
#pragma once
#include "httest.h"
#include <htzerod.h>

typedef struct {
  PetscInt  nrow, ncol;
  char    **colname;  /* ncol */
  char    **name;     /* nrow, first column */
  PetscReal *val;     /* nrow x ncol (column 0 unused; NaN for empty cells) */
} ZdTable;

static inline void ZdTable_Free(ZdTable *t)
{
  for (PetscInt i = 0; i < t->ncol; i++) free(t->colname[i]);
  for (PetscInt i = 0; i < t->nrow; i++) free(t->name[i]);
  free(t->colname);
  free(t->name);
  free(t->val);
  memset(t, 0, sizeof(*t));
}

static inline PetscInt ZdTable_Col(const ZdTable *t, const char *c)
{
  for (PetscInt i = 0; i < t->ncol; i++)
    if (!strcmp(t->colname[i], c)) return i;
  return -1;
}

/* CSV: header line, then rows "name,v1,v2,..." (empty cell = NaN). */
static inline int ZdTable_ReadCSV(const char *path, ZdTable *t)
{
  FILE  *fp = fopen(path, "r");
  char  *line = NULL;
  size_t cap = 0;
  memset(t, 0, sizeof(*t));
  if (!fp) return 1;
  if (getline(&line, &cap, fp) < 0) {
    fclose(fp);
    return 1;
  }
  line[strcspn(line, "\r\n")] = 0;
  for (char *s = line, *tok; (tok = strsep(&s, ","));) {
    t->colname            = (char **)realloc(t->colname, sizeof(char *) * (t->ncol + 1));
    t->colname[t->ncol++] = strdup(tok);
  }
  PetscInt mrow = 0;
  while (getline(&line, &cap, fp) > 0) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    if (t->nrow == mrow) {
      mrow    = mrow ? 2 * mrow : 1024;
      t->name = (char **)realloc(t->name, sizeof(char *) * mrow);
      t->val  = (PetscReal *)realloc(t->val, sizeof(PetscReal) * mrow * t->ncol);
    }
    PetscInt c = 0;
    for (char *s = line, *tok; (tok = strsep(&s, ",")) && c < t->ncol; c++) {
      if (c == 0) t->name[t->nrow] = strdup(tok);
      else t->val[t->nrow * t->ncol + c] = tok[0] ? strtod(tok, NULL) : NAN;
    }
    t->nrow++;
  }
  free(line);
  fclose(fp);
  return 0;
}

/* pandas to_json column layout; rows are ordered by their integer keys. */
static inline int ZdTable_ReadPandasJSON(const char *path, ZdTable *t)
{
  FILE  *fp = fopen(path, "rb");
  long   len;
  char  *buf;
  cJSON *root, *col, *cell;
  memset(t, 0, sizeof(*t));
  if (!fp) return 1;
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  buf = (char *)malloc(len + 1);
  if (fread(buf, 1, len, fp) != (size_t)len) {
    fclose(fp);
    free(buf);
    return 1;
  }
  buf[len] = 0;
  fclose(fp);
  root = cJSON_Parse(buf);
  free(buf);
  if (!root) return 1;
  t->ncol = cJSON_GetArraySize(root);
  t->colname = (char **)calloc(t->ncol, sizeof(char *));
  t->nrow = cJSON_GetArraySize(root->child);
  t->name = (char **)calloc(t->nrow, sizeof(char *));
  t->val = (PetscReal *)malloc(sizeof(PetscReal) * (t->nrow ? t->nrow : 1) * t->ncol);
  PetscInt c = 0;
  cJSON_ArrayForEach(col, root)
  {
    t->colname[c] = strdup(col->string);
    cJSON_ArrayForEach(cell, col)
    {
      long r = strtol(cell->string, NULL, 10);
      if (r < 0 || r >= t->nrow) continue;
      if (cJSON_IsString(cell)) t->name[r] = strdup(cell->valuestring);
      else if (cJSON_IsNumber(cell)) t->val[r * t->ncol + c] = cell->valuedouble;
      else t->val[r * t->ncol + c] = NAN;
    }
    c++;
  }
  /* the name column must come first, as in the CSV */
  if (strcmp(t->colname[0], "name")) {
    cJSON_Delete(root);
    return 1;
  }
  for (PetscInt r = 0; r < t->nrow; r++)
    if (!t->name[r]) t->name[r] = strdup("");
  cJSON_Delete(root);
  return 0;
}

/* Compare every flow*, pressure* and y column of ref against res. Both list rows grouped by name in
 * time order; rows are matched by (name, k-th row of that name). Returns the largest
 * |a-b|/(1+|b|) and counts the values beyond rtol. */
static inline PetscReal ZdTable_Compare(const ZdTable *res, const ZdTable *ref, PetscReal rtol, PetscInt *nbad, PetscInt *ncmp, const char *what)
{
  PetscReal worst = 0.0;
  PetscInt *match = (PetscInt *)malloc(sizeof(PetscInt) * (ref->nrow ? ref->nrow : 1));
  *nbad = 0;
  *ncmp = 0;
  if (res->nrow != ref->nrow) {
    fprintf(stderr, "FAIL %s: %d result rows, %d reference rows\n", what, (int)res->nrow, (int)ref->nrow);
    (*nbad)++;
  }
  /* row matching: start of each name group in res */
  for (PetscInt r = 0; r < ref->nrow;) {
    PetscInt r2 = r, s0;
    while (r2 < ref->nrow && !strcmp(ref->name[r2], ref->name[r])) r2++;
    for (s0 = 0; s0 < res->nrow && strcmp(res->name[s0], ref->name[r]); s0++) { }
    for (PetscInt q = r; q < r2; q++) {
      PetscInt rr = s0 + (q - r);
      match[q]    = (rr < res->nrow && !strcmp(res->name[rr], ref->name[q])) ? rr : -1;
    }
    r = r2;
  }
  for (PetscInt c = 1; c < ref->ncol; c++) {
    const char *cn = ref->colname[c];
    PetscInt    rc;
    if (strncmp(cn, "flow", 4) && strncmp(cn, "pressure", 8) && strcmp(cn, "y")) continue;
    rc = ZdTable_Col(res, cn);
    if (rc < 0) {
      fprintf(stderr, "FAIL %s: result lacks column %s\n", what, cn);
      (*nbad)++;
      continue;
    }
    for (PetscInt r = 0; r < ref->nrow; r++) {
      PetscReal b = ref->val[r * ref->ncol + c], a, e;
      if (match[r] < 0) {
        if (*nbad < 5) fprintf(stderr, "FAIL %s: no result row for %s (row %d)\n", what, ref->name[r], (int)r);
        (*nbad)++;
        continue;
      }
      a = res->val[match[r] * res->ncol + rc];
      e = fabs(a - b) / (1.0 + fabs(b));
      (*ncmp)++;
      if (!(e <= rtol)) {
        if (*nbad < 5) fprintf(stderr, "FAIL %s: %s row %d (%s): got %.12g, reference %.12g\n", what, cn, (int)r, ref->name[r], a, b);
        (*nbad)++;
      }
      if (e > worst || e != e) worst = e;
    }
  }
  free(match);
  return worst;
}
