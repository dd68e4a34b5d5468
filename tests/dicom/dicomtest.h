/* Helpers for the DICOM/store tests: temporary folders under the build dir (never the repo or the
 * shared data), file copies and listing, and error capture. */
#pragma once
/* nftw needs X/Open 500; this header is included first by each test */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "httest.h"
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static int HtT_RmCb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}
/* rm -rf a folder we created */
static inline void HtT_RmTree(const char *dir) { nftw(dir, HtT_RmCb, 16, FTW_DEPTH | FTW_PHYS); }

/* mkdtemp under the current (build) directory */
static inline PetscErrorCode HtT_TempDir(const char *tag, char *buf, size_t len)
{
  PetscFunctionBeginUser;
  char cwd[PETSC_MAX_PATH_LEN];
  PetscCheck(getcwd(cwd, sizeof(cwd)), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "getcwd failed");
  PetscCheck(snprintf(buf, len, "%s/tmp_%s_XXXXXX", cwd, tag) < (int)len, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "temp path too long");
  PetscCheck(mkdtemp(buf), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: mkdtemp failed", buf);
  PetscFunctionReturn(0);
}

static inline PetscErrorCode HtT_CopyFile(const char *src, const char *dst)
{
  PetscFunctionBeginUser;
  FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
  PetscCheck(in && out, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "copy %s -> %s failed", src, dst);
  char   b[65536];
  size_t n;
  while ((n = fread(b, 1, sizeof(b), in)) > 0) PetscCheck(fwrite(b, 1, n, out) == n, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: write failed", dst);
  fclose(in);
  PetscCheck(fclose(out) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: close failed", dst);
  PetscFunctionReturn(0);
}

/* buf = a + "/" + b (checked) */
static inline PetscErrorCode HtT_Join(char *buf, size_t len, const char *a, const char *b)
{
  PetscFunctionBeginUser;
  size_t la = strlen(a), lb = strlen(b);
  PetscCheck(la + lb + 2 <= len, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "path %s/%s too long", a, b);
  memcpy(buf, a, la);
  buf[la] = '/';
  memcpy(buf + la + 1, b, lb + 1);
  PetscFunctionReturn(0);
}

static int HtT_Cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted regular-file names of a folder (not recursive); free with HtT_FreeList. */
static inline PetscErrorCode HtT_ListDir(const char *dir, int *n, char ***names)
{
  PetscFunctionBeginUser;
  DIR *d = opendir(dir);
  PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot open", dir);
  int            cap = 256, k = 0;
  char         **v   = (char **)malloc(sizeof(char *) * cap);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (k == cap) v = (char **)realloc(v, sizeof(char *) * (cap *= 2));
    v[k++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(v, (size_t)k, sizeof(char *), HtT_Cmp);
  *n     = k;
  *names = v;
  PetscFunctionReturn(0);
}
static inline void HtT_FreeList(int n, char **v)
{
  for (int q = 0; q < n; q++) free(v[q]);
  free(v);
}

/* Run an expression that must fail; record the innermost message in msg. */
#define HT_EXPECT_ERROR(call, msg, len) \
  do { \
    PetscErrorCode _e; \
    HtError_Clear(); \
    PetscCall(HtError_PushHandler()); \
    _e = (call); \
    PetscCall(HtError_PopHandler()); \
    snprintf((msg), (len), "%s", HtError_LastMessage()); \
    HT_CHECK(_e != 0, "expected an error from %s", #call); \
  } while (0)

/* deterministic shuffle (xorshift) so failures are reproducible */
static inline void HtT_Shuffle(int *p, int n, uint32_t seed)
{
  uint32_t s = seed ? seed : 1;
  for (int q = n - 1; q > 0; q--) {
    s ^= s << 13, s ^= s >> 17, s ^= s << 5;
    int r = (int)(s % (uint32_t)(q + 1)), t = p[q];
    p[q] = p[r], p[r] = t;
  }
}
