/* Shared by the end-to-end pipeline tests: a PHI scan of files and folders (htstore's scanner over the
 * input's identifying values) and reading report.json. */
#pragma once
#include <htdicom.h>
#include <htstore.h>
#include <httest.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <sys/stat.h>

static PetscInt g_scanned = 0;

static PetscErrorCode ScanFile(const char *path, const HtDicomMeta *meta)
{
  PetscBool found = PETSC_FALSE;
  char      what[128] = "";
  PetscFunctionBeginUser;
  PetscCall(HtStore_PhiScanFile(path, meta, &found, what, sizeof(what)));
  g_scanned++;
  HT_CHECK(!found, "PHI (%s) found in %s", what, path);
  PetscFunctionReturn(0);
}

/* Every regular file below dir, except the folder named skip (NULL: none), e.g. the input series. */
static PetscErrorCode ScanTree(const char *dir, const char *skip, const HtDicomMeta *meta)
{
  DIR           *d = opendir(dir);
  struct dirent *e;
  PetscFunctionBeginUser;
  if (!d) PetscFunctionReturn(0);
  while ((e = readdir(d))) {
    char        p[PETSC_MAX_PATH_LEN];
    struct stat st;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    PetscCall(PetscSNPrintf(p, sizeof(p), "%s/%s", dir, e->d_name));
    if (stat(p, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      if (!skip || strcmp(p, skip)) PetscCall(ScanTree(p, skip, meta));
    } else if (S_ISREG(st.st_mode)) PetscCall(ScanFile(p, meta));
  }
  closedir(d);
  PetscFunctionReturn(0);
}

static cJSON *ReadJSON(const char *path)
{
  FILE  *f = fopen(path, "rb");
  long   n;
  char  *t;
  cJSON *j;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  t = (char *)malloc((size_t)n + 1);
  if (fread(t, 1, (size_t)n, f) != (size_t)n) n = 0;
  t[n] = 0;
  fclose(f);
  j = cJSON_Parse(t);
  free(t);
  return j;
}

