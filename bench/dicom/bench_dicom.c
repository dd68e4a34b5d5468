/* DICOM ingest time against reading the same bytes raw (target: ingest <= 2x raw). For each series
 * folder: files and bytes; raw = read every file completely into memory; ingest = HtDicom_ReadSeries
 * (headers, geometry, decode, rescale, the 3D volume); info = HtDicom_Info (every frame of every file
 * decoded, statistics). Best of 3 runs each of process CPU time (user + system, so the figures hold
 * on a shared machine), the page cache warm for all three (the raw pass runs first), so the ratio
 * measures the reader's own cost. Prints figures; asserts nothing. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <dirent.h>
#include <ftw.h>
#include <htdicom.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* process CPU time: the machine may be shared, wall time then measures the other jobs too */
static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static char  **g_files;
static size_t  g_n, g_cap, g_bytes;
static int     Collect(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)ftw;
  if (flag != FTW_F) return 0;
  if (g_n == g_cap) g_files = (char **)realloc(g_files, sizeof(char *) * (g_cap = g_cap ? 2 * g_cap : 256));
  g_files[g_n++] = strdup(p);
  g_bytes += (size_t)sb->st_size;
  return 0;
}

static PetscErrorCode RawRead(double *sec, size_t *sum)
{
  PetscFunctionBeginUser;
  double t0 = Now();
  size_t s  = 0;
  char  *buf = (char *)malloc(1 << 20);
  for (size_t q = 0; q < g_n; q++) {
    FILE *f = fopen(g_files[q], "rb");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "file %s: cannot open", g_files[q]);
    /* read the whole file into memory, as a reader must, and touch the bytes */
    fseek(f, 0, SEEK_END);
    long  n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *all = (char *)malloc((size_t)n + 1);
    size_t got = fread(all, 1, (size_t)n, f);
    for (size_t k = 0; k < got; k += 4096) s += (unsigned char)all[k];
    free(all);
    fclose(f);
  }
  free(buf);
  *sec = Now() - t0;
  *sum = s;
  PetscFunctionReturn(0);
}

static PetscErrorCode Bench(const char *dir)
{
  double      raw = 1e30, ing = 1e30, inf = 1e30;
  size_t      chk = 0;
  HtVolume    vol;
  HtDicomMeta meta;
  PetscFunctionBeginUser;
  for (size_t q = 0; q < g_n; q++) free(g_files[q]);
  g_n = 0, g_bytes = 0;
  nftw(dir, Collect, 16, FTW_PHYS);
  FILE *devnull = fopen("/dev/null", "w");
  for (int r = 0; r < 3; r++) {
    double t;
    PetscCall(RawRead(&t, &chk));
    raw = t < raw ? t : raw;
  }
  for (int r = 0; r < 3; r++) {
    double t0 = Now();
    PetscCall(HtDicom_ReadSeries(dir, NULL, &vol, &meta));
    double t = Now() - t0;
    ing      = t < ing ? t : ing;
    if (r < 2) {
      PetscCall(HtVolume_Free(&vol));
      PetscCall(HtDicomMeta_Free(&meta));
    }
  }
  for (int r = 0; r < 3; r++) {
    double t0 = Now();
    PetscCall(HtDicom_Info(dir, PETSC_TRUE, devnull));
    double t = Now() - t0;
    inf      = t < inf ? t : inf;
  }
  fclose(devnull);
  const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
  printf("%-34s %5zu files %8.2f MB | raw %8.2f ms CPU (%7.1f MB/s) | ingest %8.2f ms CPU (%5.2fx raw) -> %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " | info (all frames) %8.2f ms (%5.2fx raw)\n", name, g_n, g_bytes / 1e6, raw * 1e3, g_bytes / 1e6 / raw, ing * 1e3, ing / raw, vol.g.n[0], vol.g.n[1], vol.g.n[2], inf * 1e3, inf / raw);
  PetscCall(HtVolume_Free(&vol));
  PetscCall(HtDicomMeta_Free(&meta));
  (void)chk;
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(int argc, char **argv)
{
  char root[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  HtLog_SetQuiet(PETSC_TRUE);
  if (argc > 1) {
    for (int a = 1; a < argc; a++) PetscCall(Bench(argv[a]));
    PetscFunctionReturn(0);
  }
  PetscCall(HtData_Path("dicom", root, sizeof(root), NULL));
  DIR *d = opendir(root);
  PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot open (set HEMOTWIN_DATA)", root);
  struct dirent *e;
  char           names[16][256];
  int            n = 0;
  while ((e = readdir(d)) && n < 16)
    if (!strncmp(e->d_name, "series_", 7) && e->d_type == DT_DIR) snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
  closedir(d);
  for (int q = 0; q < n; q++) {
    char p[PETSC_MAX_PATH_LEN];
    PetscCall(HtPath_Join(p, sizeof(p), root, names[q]));
    PetscCall(Bench(p));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  int pac = 1;
  if (PetscInitialize(&pac, &argv, NULL, NULL)) return 1;
  PetscErrorCode ierr = Run(argc, argv);
  if (PetscFinalize()) return 1;
  return ierr ? 1 : 0;
}
