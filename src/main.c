/* hemotwin: the command-line front end.
 *
 *   hemotwin run CASE.json --out DIR [--store FILE] [--key FILE] [--quiet] [--json]
 *   hemotwin phantom --out DIR [--seed N]
 *   hemotwin import DICOM_DIR [--store FILE] [--key FILE] [--allow-burned-in]
 *   hemotwin store list|show ID|export ID --out DIR|delete ID [--json] [--store FILE] [--key FILE]
 *   hemotwin plan PLAN.json --out DIR
 *   hemotwin 0d MODEL.json --out RESULT.csv
 *   hemotwin 1d CONFIG --out DIR
 *   hemotwin 3d CASE.json --out DIR
 *   hemotwin dicom info PATH [--json]
 *   hemotwin --help | --version
 *
 * Options with one dash after the subcommand (-ts_type, -snes_rtol, -ht_traceback ...) belong to PETSc,
 * which reads them from the whole command line. Exit codes: 0 ok, 1 error (one line
 * "hemotwin: error: <message>" on stderr), 2 usage error. */
#include "htpipeline.h"
#include <htdicom.h>
#include <htphantom.h>
#include <htstore.h>
#include <htzerod.h>
#include <htoned.h>
#include <htthreed.h>
#include "htplan.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HT_EXIT_USAGE 2

static const char *usage_text =
  "usage: hemotwin <command> [options] [PETSc options]\n"
  "\n"
  "commands:\n"
  "  run CASE.json --out DIR [--store FILE] [--key FILE] [--quiet] [--json]\n"
  "                     the pipeline: DICOM -> store -> segmentation -> network/surface/mesh ->\n"
  "                     0D simulation of each surgical candidate -> ranking, report.json, VTK files\n"
  "  phantom --out DIR [--seed N]\n"
  "                     write the default aortic-coarctation phantom as a DICOM CT series\n"
  "  import DICOM_DIR [--store FILE] [--key FILE] [--allow-burned-in]\n"
  "                     de-identify a DICOM series and import it into the store (series flagged\n"
  "                     with burned-in annotation are refused unless allowed)\n"
  "  store list|show ID|export ID --out DIR|delete ID [--json] [--store FILE] [--key FILE]\n"
  "                     the de-identified store: patients (pseudonyms), studies, series, runs;\n"
  "                     export writes de-identified DICOM\n"
  "  plan PLAN.json --out DIR\n"
  "                     calibrate an svZeroDSolver model, simulate candidates under uncertainty,\n"
  "                     rank them: report.json, report.html, candidates/<name>.json\n"
  "  0d MODEL.json --out RESULT.csv\n"
  "                     run an svZeroDSolver model with the 0D engine\n"
  "  dicom info PATH [--json]\n"
  "                     series found in a DICOM folder/file: geometry, values (no identifying data)\n"
  "  1d CONFIG --out DIR\n"
  "                     run a 1D network model (openBF / svOneDSolver input) with the 1D engine\n"
  "  3d CASE.json --out DIR\n"
  "                     run the 3D Navier-Stokes solver on a Gmsh mesh\n"
  "\n"
  "options:\n"
  "  --store FILE       the de-identified store (default hemotwin.db in the current folder)\n"
  "  --key FILE         its secret key file (default $HEMOTWIN_KEY, else FILE.key)\n"
  "  --quiet            no progress lines on stderr\n"
  "  --json             print JSON instead of tables\n"
  "  --help, --version\n"
  "  -ht_traceback      PETSc's full error traceback; other -options go to PETSc (e.g. -zerod_ts_type)\n";

static void Usage(FILE *f) { fputs(usage_text, f); }

/* Parsed arguments of one subcommand. */
typedef struct {
  PetscInt    npos;
  const char *pos[8];
  const char *out, *store, *key, *seed;
  PetscBool   quiet, json, allow_burned_in;
} Args;

/* Split argv (after the subcommand) into our --options and positionals; single-dash tokens are PETSc
 * options (skip them and their value). allowed: space-separated list of --options this command takes.
 * Returns PETSC_FALSE (message printed) on a usage error. */
static PetscBool ParseArgs(int argc, char **argv, const char *cmd, const char *allowed, Args *a)
{
  memset(a, 0, sizeof(*a));
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (!strncmp(s, "--", 2) && s[2]) {
      char        key[64];
      const char *hit;
      PetscBool   takes_value = PETSC_FALSE;
      snprintf(key, sizeof(key), "%s ", s);
      hit = strstr(allowed, key);
      if (!hit || (hit != allowed && hit[-1] != ' ')) {
        fprintf(stderr, "hemotwin %s: unknown option %s\n", cmd, s);
        return PETSC_FALSE;
      }
      if (!strcmp(s, "--quiet")) a->quiet = PETSC_TRUE;
      else if (!strcmp(s, "--json")) a->json = PETSC_TRUE;
      else if (!strcmp(s, "--allow-burned-in")) a->allow_burned_in = PETSC_TRUE;
      else takes_value = PETSC_TRUE;
      if (takes_value) {
        if (i + 1 >= argc || !argv[i + 1][0]) {
          fprintf(stderr, "hemotwin %s: option %s needs a value\n", cmd, s);
          return PETSC_FALSE;
        }
        if (!strcmp(s, "--out")) a->out = argv[++i];
        else if (!strcmp(s, "--store")) a->store = argv[++i];
        else if (!strcmp(s, "--key")) a->key = argv[++i];
        else if (!strcmp(s, "--seed")) a->seed = argv[++i];
      }
    } else if (s[0] == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9')) {
      /* PETSc option: its value, if any, is the next token unless that is an option itself. */
      if (i + 1 < argc && (argv[i + 1][0] != '-' || (argv[i + 1][1] >= '0' && argv[i + 1][1] <= '9') || argv[i + 1][1] == '.')) i++;
    } else {
      if (a->npos >= 8) {
        fprintf(stderr, "hemotwin %s: too many arguments\n", cmd);
        return PETSC_FALSE;
      }
      a->pos[a->npos++] = s;
    }
  }
  return PETSC_TRUE;
}

static PetscErrorCode StorePaths(const Args *a, char *store, size_t ls, const char **key)
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(store, a->store ? a->store : "hemotwin.db", ls));
  *key = a->key;
  PetscFunctionReturn(0);
}

static PetscErrorCode CmdRun(int argc, char **argv, int *code)
{
  Args              a;
  HtCase            c;
  HtPipelineOptions o;
  HtPipelineResult  r;
  PetscMPIInt       size;
  PetscFunctionBeginUser;
  if (!ParseArgs(argc, argv, "run", "--out --store --key --quiet --json ", &a) || a.npos != 1 || !a.out) {
    if (a.npos != 1) fprintf(stderr, "hemotwin run: expected one case file\n");
    else if (!a.out) fprintf(stderr, "hemotwin run: --out DIR is required\n");
    Usage(stderr);
    *code = HT_EXIT_USAGE;
    PetscFunctionReturn(0);
  }
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCheck(size == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "hemotwin run: the pipeline runs on one MPI rank (%d given); use hemotwin 0d for parallel runs", (int)size);
  if (a.quiet) HtLog_SetQuiet(PETSC_TRUE);
  {
    /* A report.json in --out must never outlive a failing run, even one failing on its case file. */
    char      rep[PETSC_MAX_PATH_LEN];
    PetscBool ex;
    PetscCall(HtPath_Join(rep, sizeof(rep), a.out, "report.json"));
    PetscCall(HtPath_Exists(rep, &ex, NULL));
    PetscCheck(!ex || unlink(rep) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot remove the previous %s", rep);
  }
  PetscCall(HtCase_Load(a.pos[0], a.out, &c));
  PetscCall(HtPipeline_DefaultOptions(&o));
  PetscCall(PetscStrncpy(o.out_dir, a.out, sizeof(o.out_dir)));
  if (a.store) PetscCall(PetscStrncpy(o.store_path, a.store, sizeof(o.store_path)));
  if (a.key) PetscCall(PetscStrncpy(o.key_path, a.key, sizeof(o.key_path)));
  o.json = a.json;
  PetscCall(HtPipeline_Run(&c, &o, &r));
  *code = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode CmdPhantom(int argc, char **argv, int *code)
{
  Args     a;
  long     seed = 1;
  char    *end;
  PetscFunctionBeginUser;
  if (!ParseArgs(argc, argv, "phantom", "--out --seed --quiet ", &a) || a.npos != 0 || !a.out) {
    if (a.npos) fprintf(stderr, "hemotwin phantom: unexpected argument %s\n", a.pos[0]);
    else if (!a.out) fprintf(stderr, "hemotwin phantom: --out DIR is required\n");
    Usage(stderr);
    *code = HT_EXIT_USAGE;
    PetscFunctionReturn(0);
  }
  if (a.quiet) HtLog_SetQuiet(PETSC_TRUE);
  if (a.seed) {
    seed = strtol(a.seed, &end, 10);
    if (*end || seed < 0 || seed > 2147483647L) {
      fprintf(stderr, "hemotwin phantom: --seed %s: expected a non-negative integer\n", a.seed);
      *code = HT_EXIT_USAGE;
      PetscFunctionReturn(0);
    }
  }
  PetscCall(HtPhantom_WriteDefault(a.out, (unsigned)seed));
  HtLog_Info("phantom DICOM series written to %s (seed %ld)", a.out, seed);
  *code = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode CmdImport(int argc, char **argv, int *code)
{
  Args        a;
  char        store[PETSC_MAX_PATH_LEN];
  const char *key = NULL;
  HtVolume    vol;
  HtDicomMeta meta;
  HtStore     st = NULL;
  HtStoreIds  ids;
  PetscFunctionBeginUser;
  if (!ParseArgs(argc, argv, "import", "--store --key --quiet --json --allow-burned-in ", &a) || a.npos != 1) {
    if (a.npos != 1) fprintf(stderr, "hemotwin import: expected one DICOM folder\n");
    Usage(stderr);
    *code = HT_EXIT_USAGE;
    PetscFunctionReturn(0);
  }
  if (a.quiet) HtLog_SetQuiet(PETSC_TRUE);
  PetscCall(StorePaths(&a, store, sizeof(store), &key));
  PetscCall(PetscMemzero(&vol, sizeof(vol)));
  PetscCall(PetscMemzero(&meta, sizeof(meta)));
  /* Read first: a bad folder must not even create the store. */
  PetscCall(HtDicom_ReadSeries(a.pos[0], NULL, &vol, &meta));
  for (PetscInt w = 0; w < meta.nwarnings; w++) HtLog_Warn("%s", meta.warnings[w]);
  PetscCall(HtStore_Open(store, key, &st));
  if (a.allow_burned_in) PetscCall(HtStore_SetAllowBurnedIn(st, PETSC_TRUE)); /* audited by the store */
  PetscCall(HtStore_ImportSeries(st, &vol, &meta, &ids));
  PetscCall(HtDicomMeta_Free(&meta));
  PetscCall(HtVolume_Free(&vol));
  if (a.json) printf("{\"patient\": \"%s\", \"patient_id\": %" PetscInt_FMT ", \"study_id\": %" PetscInt_FMT ", \"series_id\": %" PetscInt_FMT ", \"series_uid\": \"%s\", \"existed\": %s}\n", ids.pseudonym, ids.patient_id, ids.study_id, ids.series_id, ids.series_uid, ids.existed ? "true" : "false");
  else printf("%s series %" PetscInt_FMT " (patient %s, study %" PetscInt_FMT ", series uid %s)\n", ids.existed ? "already in the store:" : "imported:", ids.series_id, ids.pseudonym, ids.study_id, ids.series_uid);
  PetscCall(HtStore_Close(&st));
  *code = 0;
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  int            code = 0;
  const char    *cmd  = argc > 1 ? argv[1] : NULL;

  /* --help/--version and obvious usage errors need no PETSc. */
  if (!cmd) {
    Usage(stderr);
    return HT_EXIT_USAGE;
  }
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    Usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version")) {
    printf("hemotwin %s\n", HT_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "dicom") && (argc < 3 || strcmp(argv[2], "info"))) {
    fprintf(stderr, "hemotwin dicom: expected the action 'info'\n");
    Usage(stderr);
    return HT_EXIT_USAGE;
  }
  if (strcmp(cmd, "run") && strcmp(cmd, "phantom") && strcmp(cmd, "import") && strcmp(cmd, "store") && strcmp(cmd, "0d") && strcmp(cmd, "dicom") && strcmp(cmd, "plan") && strcmp(cmd, "1d") && strcmp(cmd, "3d")) {
    fprintf(stderr, "hemotwin: unknown command '%s'\n", cmd);
    Usage(stderr);
    return HT_EXIT_USAGE;
  }
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      Usage(stdout);
      return 0;
    }
  }
  if (PetscInitialize(&argc, &argv, NULL, NULL)) {
    fprintf(stderr, "hemotwin: error: PETSc/MPI initialisation failed\n");
    return 1;
  }
  ierr = HtError_PushHandler();
  if (!ierr) {
    if (!strcmp(cmd, "run")) ierr = CmdRun(argc - 2, argv + 2, &code);
    else if (!strcmp(cmd, "phantom")) ierr = CmdPhantom(argc - 2, argv + 2, &code);
    else if (!strcmp(cmd, "import")) ierr = CmdImport(argc - 2, argv + 2, &code);
    else if (!strcmp(cmd, "store")) code = HtStore_Main(argc - 1, argv + 1); /* argv[0] = "store" */
    else if (!strcmp(cmd, "plan")) code = HtPlan_Main(argc - 1, argv + 1);
    else if (!strcmp(cmd, "dicom")) code = HtDicom_InfoMain(argc - 2, argv + 2); /* argv[0] = "info" */
    else if (!strcmp(cmd, "1d")) code = HtOneD_Main(argc - 1, argv + 1);
    else if (!strcmp(cmd, "3d")) code = HtThreeD_Main(argc - 1, argv + 1);
    else code = HtZeroD_Main(argc - 1, argv + 1); /* argv[0] = "0d", then MODEL.json --out RESULT.csv */
  }
  if (ierr) {
    const char *msg = HtError_LastMessage();
    PetscMPIInt rank = 0;
    MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
    if (!rank) fprintf(stderr, "hemotwin: error: %s\n", msg && msg[0] ? msg : "unknown error");
    code = 1;
  }
  fflush(stdout);
  if (PetscFinalize()) return 1;
  return code;
}
