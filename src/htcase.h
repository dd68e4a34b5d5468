/* Case files: one JSON document describing a patient-specific run (input, physiology, meshing,
 * simulation, surgical candidates, scoring). Parsed strictly with cJSON:
 *   - every physical quantity carries its unit in its key (heart_rate_bpm, mesh_size_mm, ...);
 *   - an unknown key or a wrong type is an error naming the key path, e.g.
 *       "case.json: physiology.heart_rate: unknown key (did you mean heart_rate_bpm?)"
 *       "case.json: candidates[2].radius_mm: expected a number"
 *   - relative paths are relative to the case file's folder; "${HEMOTWIN_DATA}" expands to
 *     HtData_Dir() and "${OUT}" to the run's output folder.
 *
 * Layout (optional sections/keys take the defaults of HtCase_SetDefaults):
 * {
 *   "case": "phantom_coarctation",                       (required: letters, digits, '_', '-', '.')
 *   "input": { "dicom": "PATH",                           (required: DICOM folder)
 *              "series_uid": "...",                       (optional: which series; default the largest)
 *              "phantom_seed": 1 },                       (optional: write the built-in phantom to "dicom" first)
 *   "physiology": { "heart_rate_bpm": 75, "cardiac_output_L_min": 5.0, "mean_pressure_mmHg": 93,
 *                   "pulse_pressure_mmHg": 40, "blood_density_g_cm3": 1.06, "blood_viscosity_P": 0.04 },
 *   "segmentation": { "min_HU": 150, "max_HU": 700 },    (optional overrides; default automatic)
 *   "centerline": { "resample_mm": 1.0, "min_branch_mm": 10 },
 *   "meshing": { "mesh_size_mm": 2.0, "surface_smoothing_iterations": 20, "volume_mesh": true,
 *                "required": false },                  (false: a failing cap/mesh step is reported, the
 *                                                        0D planning still runs; true: it is an error)
 *   "simulation": { "points_per_cycle": 200, "max_cycles": 20, "cycle_tolerance_mmHg": 0.1 },
 *   "lesions": { "min_severity": 0.2 },                  (1 - r_min/r_ref threshold for "auto")
 *   "candidates": [ {"name": "baseline", "type": "baseline"},
 *                   {"name": "stent", "type": "stent", "lesion": "auto" | 0, "success_fraction": 1.0},
 *                   {"name": "bypass", "type": "bypass", "lesion": "auto", "radius_mm": 6, "margin_mm": 15,
 *                    "length_mm": 0} ],
 *   "scoring": { "weights": { "pressure_drop_peak_mmHg": 0.6, "flow_split_change_percent": 0.2,
 *                             "cardiac_output_L_min": 0.2 } }
 * }
 */
#pragma once
#include <htcore.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HT_CASE_MAX_CANDIDATES 16
#define HT_CASE_MAX_WEIGHTS    16

typedef enum { HT_CAND_BASELINE = 0, HT_CAND_STENT = 1, HT_CAND_BYPASS = 2 } HtCandidateType;

typedef struct {
  char            name[64];         /* output file stem: letters, digits, '_', '-' */
  HtCandidateType type;
  PetscInt        lesion;           /* -1 = "auto" (worst lesion found), else index into the lesion list */
  PetscReal       success_fraction; /* stent: 0..1 of the radius restored (default 1)                  */
  PetscReal       radius_mm;        /* bypass graft radius (default 6)                                 */
  PetscReal       margin_mm;        /* bypass: anastomoses this far proximal/distal of the lesion (15) */
  PetscReal       length_mm;        /* bypass graft length, <= 0: straight distance x 1.2 (default 0)  */
} HtCaseCandidate;

typedef struct {
  char name[64];   /* metric name with its unit, e.g. "pressure_drop_peak_mmHg" */
  PetscReal weight;
} HtCaseWeight;

typedef struct {
  char      name[128];                     /* "case": de-identified case label, used in the report   */
  char      path[PETSC_MAX_PATH_LEN];      /* the case file as given                                  */
  char      dir[PETSC_MAX_PATH_LEN];       /* its folder (base of relative paths)                     */
  /* input */
  char      dicom_dir[PETSC_MAX_PATH_LEN]; /* expanded                                                */
  char      series_uid[68];                /* "" = the series with most slices                        */
  PetscBool write_phantom;                 /* input.phantom_seed given: write the phantom to dicom_dir */
  PetscInt  phantom_seed;
  /* physiology */
  PetscReal heart_rate_bpm, cardiac_output_L_min, mean_pressure_mmHg, pulse_pressure_mmHg;
  PetscReal blood_density_g_cm3, blood_viscosity_P;
  /* segmentation overrides (NaN = automatic) */
  PetscReal seg_min_HU, seg_max_HU;
  /* centerline (<= 0 = stage default) */
  PetscReal cl_resample_mm, cl_min_branch_mm;
  /* meshing */
  PetscReal mesh_size_mm;
  PetscInt  surface_smoothing_iterations;
  PetscBool volume_mesh;                   /* false: skip the Gmsh volume mesh                        */
  PetscBool mesh_required;                 /* false: cap/mesh failures are warnings (planning goes on)  */
  /* simulation */
  PetscInt  points_per_cycle, max_cycles;
  PetscReal cycle_tolerance_mmHg;
  /* lesions */
  PetscReal lesion_min_severity;
  /* candidates and scoring */
  PetscInt        ncand;
  HtCaseCandidate cand[HT_CASE_MAX_CANDIDATES];
  PetscInt        nweights;
  HtCaseWeight    weights[HT_CASE_MAX_WEIGHTS];
} HtCase;

/* Defaults for every optional key (no candidates: the loader adds "baseline" when none are given). */
PetscErrorCode HtCase_SetDefaults(HtCase *c);
/* Parse and validate a case file. out_dir (may be NULL) is what "${OUT}" expands to. Errors
 * (PETSC_ERR_FILE_OPEN / _READ / _UNEXPECTED / _USER_INPUT) name the file and the key path. */
PetscErrorCode HtCase_Load(const char *path, const char *out_dir, HtCase *c);
/* Same from a JSON text (source_name used in messages; base_dir for relative paths). */
PetscErrorCode HtCase_LoadString(const char *text, const char *source_name, const char *base_dir, const char *out_dir, HtCase *c);
/* Expand ${HEMOTWIN_DATA} / ${OUT} and make relative paths relative to base_dir. */
PetscErrorCode HtCase_ExpandPath(const char *in, const char *base_dir, const char *out_dir, char *buf, size_t len);
const char    *HtCase_TypeName(HtCandidateType t); /* "baseline", "stent", "bypass" */

#ifdef __cplusplus
}
#endif
