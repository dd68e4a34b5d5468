/* Case-file parser: the shipped cases load with the values written in them; unknown keys, wrong types,
 * out-of-range values and broken JSON are errors whose one-line message names the file and key path
 * (the wording the issue specifies); ${HEMOTWIN_DATA}/${OUT} and relative paths expand as documented. */
#include <htcase.h>
#include <httest.h>

/* Load text, expect failure, and check the message contains every needle. */
static PetscErrorCode ExpectError(const char *text, const char *n1, const char *n2)
{
  HtCase         c;
  PetscErrorCode ierr;
  const char    *msg;
  PetscFunctionBeginUser;
  HtError_Clear();
  ierr = HtCase_LoadString(text, "case.json", "/base", "/out", &c);
  msg  = HtError_LastMessage();
  printf("error message: %s\n", msg);
  HT_CHECK(ierr != 0, "expected an error for: %s", text);
  HT_CHECK(strstr(msg, n1) != NULL, "message '%s' lacks '%s'", msg, n1);
  if (n2) HT_CHECK(strstr(msg, n2) != NULL, "message '%s' lacks '%s'", msg, n2);
  HT_CHECK(strchr(msg, '\n') == NULL, "message is not one line: %s", msg);
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  HtCase c;
  char   path[PETSC_MAX_PATH_LEN], data[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(HtError_PushHandler());

  /* The shipped phantom case (values as written in cases/phantom_coarctation.json). */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/cases/phantom_coarctation.json", HT_SOURCE_DIR));
  PetscCall(HtCase_Load(path, "/tmp/o", &c));
  printf("phantom case: name %s dicom %s seed %" PetscInt_FMT " candidates %" PetscInt_FMT " weights %" PetscInt_FMT "\n", c.name, c.dicom_dir, c.phantom_seed, c.ncand, c.nweights);
  HT_CHECK(!strcmp(c.name, "phantom_coarctation"), "case name %s", c.name);
  HT_CHECK(!strcmp(c.dicom_dir, "/tmp/o/phantom_dicom"), "dicom dir %s", c.dicom_dir);
  HT_CHECK(c.write_phantom && c.phantom_seed == 1, "phantom seed");
  HT_CHECK_CLOSE(c.heart_rate_bpm, 75, 0, 0, "heart_rate_bpm");
  HT_CHECK_CLOSE(c.cardiac_output_L_min, 5.0, 0, 0, "cardiac_output_L_min");
  HT_CHECK_CLOSE(c.mean_pressure_mmHg, 93, 0, 0, "mean_pressure_mmHg");
  HT_CHECK_CLOSE(c.pulse_pressure_mmHg, 40, 0, 0, "pulse_pressure_mmHg");
  HT_CHECK_CLOSE(c.mesh_size_mm, 2.0, 0, 0, "mesh_size_mm");
  HT_CHECK(c.points_per_cycle == 200 && c.max_cycles == 20, "simulation ints");
  HT_CHECK(c.ncand == 3, "3 candidates, got %" PetscInt_FMT, c.ncand);
  HT_CHECK(c.cand[0].type == HT_CAND_BASELINE && c.cand[1].type == HT_CAND_STENT && c.cand[2].type == HT_CAND_BYPASS, "candidate types");
  HT_CHECK(c.cand[1].lesion == -1 && c.cand[1].success_fraction == 1.0, "stent auto, success 1");
  HT_CHECK_CLOSE(c.cand[2].radius_mm, 6, 0, 0, "bypass radius_mm");
  HT_CHECK_CLOSE(c.cand[2].margin_mm, 15, 0, 0, "bypass margin_mm");
  HT_CHECK(c.nweights == 3 && !strcmp(c.weights[0].name, "pressure_drop_peak_mmHg") && c.weights[0].weight == 0.6, "weights");

  /* The real case: ${HEMOTWIN_DATA} expands to HtData_Dir(). */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/cases/thorax_cta.json", HT_SOURCE_DIR));
  PetscCall(HtCase_Load(path, NULL, &c));
  PetscCall(HtData_Dir(data, sizeof(data)));
  printf("thorax case: dicom %s\n", c.dicom_dir);
  HT_CHECK(!strncmp(c.dicom_dir, data, strlen(data)) && strstr(c.dicom_dir, "/dicom/series_ts_thorax_cta/dicom"), "thorax dicom %s", c.dicom_dir);
  HT_CHECK(!c.write_phantom, "thorax writes no phantom");

  /* Relative paths are relative to the case file's folder; defaults fill what is absent. */
  PetscCall(HtCase_LoadString("{\"case\":\"x\",\"input\":{\"dicom\":\"scans/ct\"}}", "case.json", "/base/dir", NULL, &c));
  HT_CHECK(!strcmp(c.dicom_dir, "/base/dir/scans/ct"), "relative path %s", c.dicom_dir);
  HT_CHECK(c.ncand == 1 && c.cand[0].type == HT_CAND_BASELINE, "default candidate list = baseline");
  HT_CHECK_CLOSE(c.heart_rate_bpm, 75, 0, 0, "default heart rate");

  /* Errors named as the issue asks. */
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"physiology\":{\"heart_rate\":70}}", "case.json: physiology.heart_rate: unknown key (did you mean heart_rate_bpm?)", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"candidates\":[{\"name\":\"b\",\"type\":\"baseline\"},{\"name\":\"s\",\"type\":\"stent\"},{\"name\":\"g\",\"type\":\"bypass\",\"radius_mm\":\"6\"}]}", "case.json: candidates[2].radius_mm: expected a number", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"meshing\":{\"mesh_size\":2}}", "meshing.mesh_size: unknown key (did you mean mesh_size_mm?)", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"bogus\":1}", "case.json: bogus: unknown key", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"simulation\":{\"max_cycles\":2.5}}", "simulation.max_cycles: expected an integer", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"physiology\":{\"heart_rate_bpm\":-3}}", "physiology.heart_rate_bpm", "out of range"));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"physiology\":[1]}", "case.json: physiology: expected an object", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"}, \"case\":\"y\"}", "case: duplicate key", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\n \"input\": {\"dicom\": \"/d\",}\n}", "case.json: not valid JSON", "line 2"));
  PetscCall(ExpectError("not json at all", "case.json: not valid JSON", NULL));
  PetscCall(ExpectError("{\"case\":\"x\"}", "input: missing", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"${NOPE}/a\"}}", "input.dicom: unknown variable ${NOPE}", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"candidates\":[{\"name\":\"b\",\"type\":\"baseline\"},{\"name\":\"s\",\"type\":\"stent\",\"radius_mm\":3}]}", "candidates[1].radius_mm: not a key of a stent candidate", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"candidates\":[{\"name\":\"s\",\"type\":\"stent\"}]}", "exactly one is needed", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"candidates\":[{\"name\":\"b\",\"type\":\"baseline\"},{\"name\":\"b\",\"type\":\"stent\"}]}", "candidates[1].name: name b already used", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"candidates\":[{\"name\":\"../evil\",\"type\":\"baseline\"}]}", "candidates[0].name", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"candidates\":[{\"name\":\"b\",\"type\":\"graft\"}]}", "unknown candidate type", NULL));
  PetscCall(ExpectError("{\"case\":\"x\",\"input\":{\"dicom\":\"/d\"},\"scoring\":{\"weights\":{\"pressure_drop_peak_mmHg\":\"high\"}}}", "scoring.weights.pressure_drop_peak_mmHg: expected a number", NULL));
  {
    PetscErrorCode ierr;
    HtError_Clear();
    ierr = HtCase_Load("/nonexistent/case.json", NULL, &c);
    printf("error message: %s\n", HtError_LastMessage());
    HT_CHECK(ierr == PETSC_ERR_FILE_OPEN && strstr(HtError_LastMessage(), "/nonexistent/case.json"), "missing case file");
  }
  PetscCall(HtError_PopHandler());
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
