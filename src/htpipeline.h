/* The end-to-end pipeline behind `hemotwin run CASE.json --out DIR`:
 *   1 dicom      read the DICOM series, de-identify + import it into the store, load the de-identified
 *                volume back (nothing identifying travels further)            -> image.vti (HU)
 *   2 segment    blood pool labels (1 aorta, 2 heart, 3 pulmonary artery)     -> segmentation.vti
 *   3 network    centerlines of label 1, inlet hint = aorta point nearest the heart centroid -> network.vtp
 *   4 surface    surface of label 1, caps from the network -> surface.vtp; Gmsh -> mesh.msh + mesh.vtu
 *   5 plan       outlets tuned, candidates modified/solved/scored/ranked
 *                -> candidates/<name>.json (svZeroDSolver model), results/<name>.pvd
 *   6 report     report.json (written last, atomically: temp file + rename; a failed run removes any
 *                stale report.json first, so report.json exists only for a successful run), the run
 *                recorded in the store, a ranking table on stdout.
 * No identifying value of the input appears in the store, the output folder or any log line. */
#pragma once
#include <htcase.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  char      out_dir[PETSC_MAX_PATH_LEN];
  char      store_path[PETSC_MAX_PATH_LEN]; /* default "hemotwin.db" in the current folder */
  char      key_path[PETSC_MAX_PATH_LEN];   /* "" = the store's default key file           */
  PetscBool json;                           /* print report.json on stdout instead of the table */
} HtPipelineOptions;

#define HT_PIPELINE_MAX_STAGES 16
typedef struct {
  PetscInt series_id, run_id;                       /* de-identified store ids */
  PetscInt nstages;
  struct {
    char      name[32];
    PetscReal seconds;
  } stage[HT_PIPELINE_MAX_STAGES];
  char report_path[PETSC_MAX_PATH_LEN];
} HtPipelineResult;

PetscErrorCode HtPipeline_DefaultOptions(HtPipelineOptions *o);
/* Run the whole pipeline for a loaded case; all outputs in o->out_dir (created). */
PetscErrorCode HtPipeline_Run(const HtCase *c, const HtPipelineOptions *o, HtPipelineResult *res);

/* Whether a series folder was written by `hemotwin phantom` / input.phantom_seed is decided by the
 * pipeline: an existing non-empty folder is reused as is (same seed -> same pixels), else written. */
PetscErrorCode HtPipeline_WritePhantomIfNeeded(const HtCase *c);

#ifdef __cplusplus
}
#endif
