#include "htcore.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

static char      ht_last_msg[2048];
static PetscBool ht_quiet = PETSC_FALSE;
static PetscBool ht_traceback = PETSC_FALSE;

/* PETSc calls the handler once per frame, innermost first: the first message (p == PETSC_ERROR_INITIAL)
 * is the one SETERRQ raised; we keep it and, unless asked for a traceback, stay silent. */
static PetscErrorCode HtErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  (void)ctx;
  if (p == PETSC_ERROR_INITIAL) {
    if (mess && mess[0]) snprintf(ht_last_msg, sizeof(ht_last_msg), "%s", mess);
    else {
      const char *text = NULL;
      PetscErrorMessage(n, &text, NULL);
      snprintf(ht_last_msg, sizeof(ht_last_msg), "%s (in %s)", text ? text : "error", fun ? fun : "?");
    }
  }
  if (ht_traceback) return PetscTraceBackErrorHandler(comm, line, fun, file, n, p, mess, NULL);
  return n;
}

PetscErrorCode HtError_PushHandler(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-ht_traceback", &ht_traceback, NULL));
  PetscCall(PetscPushErrorHandler(HtErrorHandler, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode HtError_PopHandler(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPopErrorHandler());
  PetscFunctionReturn(0);
}

const char *HtError_LastMessage(void) { return ht_last_msg; }
void        HtError_Clear(void) { ht_last_msg[0] = 0; }

void      HtLog_SetQuiet(PetscBool q) { ht_quiet = q; }
PetscBool HtLog_IsQuiet(void) { return ht_quiet; }

static int HtRank0(void)
{
  PetscMPIInt rank = 0, init = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return rank == 0;
}

void HtLog_Info(const char *fmt, ...)
{
  va_list ap;
  if (ht_quiet || !HtRank0()) return;
  fputs("[hemotwin] ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void HtLog_Warn(const char *fmt, ...)
{
  va_list ap;
  if (!HtRank0()) return;
  fputs("[hemotwin] warning: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

PetscErrorCode HtData_Dir(char *buf, size_t len)
{
  const char *env = getenv("HEMOTWIN_DATA");
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, len, "%s", (env && env[0]) ? env : HT_DEFAULT_DATA_DIR));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPath_Join(char *buf, size_t len, const char *a, const char *b)
{
  size_t la = strlen(a);
  PetscFunctionBeginUser;
  if (la && a[la - 1] == '/') PetscCall(PetscSNPrintf(buf, len, "%s%s", a, b));
  else PetscCall(PetscSNPrintf(buf, len, "%s/%s", a, b));
  PetscCheck(strlen(buf) + 1 < len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "path too long: %s/%s", a, b);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPath_Exists(const char *path, PetscBool *exists, PetscBool *isdir)
{
  struct stat st;
  PetscFunctionBeginUser;
  if (stat(path, &st) == 0) {
    *exists = PETSC_TRUE;
    if (isdir) *isdir = S_ISDIR(st.st_mode) ? PETSC_TRUE : PETSC_FALSE;
  } else {
    *exists = PETSC_FALSE;
    if (isdir) *isdir = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtData_Path(const char *rel, char *buf, size_t len, PetscBool *exists)
{
  char dir[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(HtData_Dir(dir, sizeof(dir)));
  PetscCall(HtPath_Join(buf, len, dir, rel));
  if (exists) PetscCall(HtPath_Exists(buf, exists, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPath_MakeDir(const char *path)
{
  char   tmp[PETSC_MAX_PATH_LEN];
  size_t n;
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s", path));
  n = strlen(tmp);
  for (size_t i = 1; i <= n; i++) {
    if (tmp[i] == '/' || tmp[i] == 0) {
      char c = tmp[i];
      tmp[i] = 0;
      if (mkdir(tmp, 0755) != 0 && errno != EEXIST) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot create folder %s: %s", tmp, strerror(errno));
      tmp[i] = c;
    }
  }
  {
    PetscBool ex, isdir;
    PetscCall(HtPath_Exists(path, &ex, &isdir));
    PetscCheck(ex && isdir, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s exists and is not a folder", path);
  }
  PetscFunctionReturn(0);
}

double HtTime_Now(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

PetscErrorCode HtCli_InputAndOut(int argc, char **argv, const char *cmd, const char *usage, const char **input, const char **out)
{
  int first = 1;
  PetscFunctionBeginUser;
  *input = NULL;
  *out   = NULL;
  if (first < argc && !strcmp(argv[first], cmd)) first++;
  /* the input comes first so that a valueless PETSc flag cannot swallow it */
  if (first < argc && argv[first][0] != '-') *input = argv[first++];
  for (int i = first; i < argc; i++) {
    if (!strcmp(argv[i], "--out") && i + 1 < argc) *out = argv[++i];
    else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
      /* a PETSc option, read through the options database: skip its value */
      if (i + 1 < argc && argv[i + 1][0] != '-' && strncmp(argv[i], "--", 2)) i++;
    } else if (!*input) *input = argv[i];
    else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "unexpected argument %s (usage: %s)", argv[i], usage);
  }
  PetscCheck(*input, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "no input file given (usage: %s)", usage);
  PetscCheck(*out, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: no --out given (usage: %s)", *input, usage);
  PetscFunctionReturn(0);
}

int HtCli_Main(const char *cmd, PetscErrorCode (*body)(int, char **), int argc, char **argv)
{
  PetscErrorCode ierr;
  if (HtError_PushHandler()) return 1;
  HtError_Clear();
  ierr = body(argc, argv);
  if (HtError_PopHandler()) return 1;
  if (ierr) {
    const char *msg  = HtError_LastMessage();
    PetscMPIInt rank = 0;
    MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
    if (!rank) fprintf(stderr, "hemotwin %s: error: %s\n", cmd, msg && msg[0] ? msg : "failed");
    return 1;
  }
  return 0;
}
