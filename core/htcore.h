/* hemotwin core: errors, progress logging, data paths, timing.
 *
 * Errors: every hemotwin function that can fail returns PetscErrorCode and is called through
 * PetscCall(); failures are raised with SETERRQ(PETSC_COMM_SELF, code, "file %s: what went wrong", ...).
 * One error system for every stage (imaging and meshing too), so a failure deep in a reader reaches
 * the CLI with its message and call chain. The CLI installs HtError_PushHandler(), which keeps the
 * innermost message (the one that names the file and the problem) and prints it as a single line.
 *
 * Codes used across the project (PETSc's):
 *   PETSC_ERR_FILE_OPEN       a file or folder cannot be opened / does not exist
 *   PETSC_ERR_FILE_READ       read failed / truncated
 *   PETSC_ERR_FILE_UNEXPECTED file content malformed (bad DICOM, bad JSON, ...)
 *   PETSC_ERR_FILE_WRITE      cannot write output
 *   PETSC_ERR_USER_INPUT      the user's input is inconsistent (case file values, series geometry)
 *   PETSC_ERR_NOT_CONVERGED   a solve diverged
 *   PETSC_ERR_LIB             a third-party library (VTK, DCMTK, Gmsh, SQLite, zlib) failed
 */
#pragma once
#include <petscsys.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------------------------ */
/* Install/remove the CLI error handler: records the first (innermost) message of an error chain
 * instead of printing PETSc's multi-line traceback. With the option -ht_traceback the full PETSc
 * traceback is printed as well. */
PetscErrorCode HtError_PushHandler(void);
PetscErrorCode HtError_PopHandler(void);
/* The innermost message of the last error ("" if none); cleared by HtError_Clear(). */
const char    *HtError_LastMessage(void);
void           HtError_Clear(void);

/* ---- progress logging (stderr) ------------------------------------------------------------ */
/* Never log patient-identifying values: log de-identified ids, counts and geometry only. */
void           HtLog_SetQuiet(PetscBool quiet);
PetscBool      HtLog_IsQuiet(void);
/* printf-style progress line on stderr, prefixed "[hemotwin] ", suppressed by --quiet;
 * only rank 0 of PETSC_COMM_WORLD prints. */
void           HtLog_Info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void           HtLog_Warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- paths -------------------------------------------------------------------------------- */
/* Reference data folder: $HEMOTWIN_DATA, else the build-time default (../shared/data beside the
 * source tree). Returns the path in buf. */
PetscErrorCode HtData_Dir(char *buf, size_t len);
/* Join the data dir and a relative path. Returns PETSC_TRUE in *exists if the path exists. */
PetscErrorCode HtData_Path(const char *rel, char *buf, size_t len, PetscBool *exists);
/* mkdir -p; error names the path. */
PetscErrorCode HtPath_MakeDir(const char *path);
PetscErrorCode HtPath_Exists(const char *path, PetscBool *exists, PetscBool *isdir);
PetscErrorCode HtPath_Join(char *buf, size_t len, const char *a, const char *b);

/* ---- engine subcommands ("hemotwin 0d MODEL --out FILE", 1d, 3d) ---------------------------- */
/* The first non-option argument (after an optional leading `cmd` word) is the input, `--out` names the
 * output; single-dash PETSc options and their values are skipped. Usage errors quote `usage`. */
PetscErrorCode HtCli_InputAndOut(int argc, char **argv, const char *cmd, const char *usage, const char **input, const char **out);
/* Run body(argc, argv) under the one-line error handler; on failure rank 0 prints
 * "hemotwin CMD: error: MESSAGE" on stderr. Returns the process exit code (0 or 1). */
int            HtCli_Main(const char *cmd, PetscErrorCode (*body)(int, char **), int argc, char **argv);

/* ---- timing ------------------------------------------------------------------------------- */
double         HtTime_Now(void); /* wall seconds */

/* ---- units -------------------------------------------------------------------------------- */
#define HT_MMHG_TO_DYNCM2 1333.22387415  /* 1 mmHg in dyn/cm^2 (cgs pressure)  */
#define HT_MMHG_TO_PA     133.322387415  /* 1 mmHg in Pa                       */

#ifdef __cplusplus
}
#endif
