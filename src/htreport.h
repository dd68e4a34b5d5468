/* report.json and the ranking table of a pipeline run (internal to the pipeline; see htpipeline.h).
 * Everything here is de-identified: the store's pseudonym and de-identified UIDs, geometry, volumes,
 * metrics. Every quantity carries its unit in its key. */
#pragma once
#include "htcase.h"
#include <htcenterline.h>
#include <htmesh.h>
#include <htplan.h>
#include <htsegment.h>
#include <htsurface.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const HtCase *c;
  const char   *case_name;
  /* store (de-identified) */
  PetscInt      series_id;
  char          pseudonym[24];
  char          series_uid[68];
  char          modality[17];
  HtGrid        grid;
  /* segmentation */
  HtSegmentReport seg;
  PetscInt        nlabels;
  char            label_name[8][48];
  int             label_value[8];
  PetscReal       label_mL[8];
  /* network, surface, mesh */
  HtCenterlineReport crep;
  const HtNetwork   *net;
  HtSurfaceQuality   squal;
  PetscInt           ncaps;
  PetscBool          have_surface, surface_capped;
  char               surface_note[256]; /* why the surface is missing / uncapped ("" if fine) */
  char               mesh_note[256];    /* why there is no volume mesh ("" if generated)      */
  PetscBool          have_mesh;
  PetscInt           mesh_nodes, mesh_nbtri;
  HtMeshQuality      mesh_q;
  /* planning */
  PetscInt                 nles;
  const HtLesion          *les;
  PetscInt                 primary; /* lesion where pressure drops are measured, -1 none */
  const HtOutletSet       *bcs;
  HtScoring                scoring;
  PetscInt                 ncand;
  const HtCandidateResult *cand_res;   /* ncand, valid where applicable[i] */
  const PetscBool         *applicable;
  const char             (*note)[320]; /* what a candidate does, or why it is not ranked */
  const PetscInt          *cand_lesion;
  /* timing */
  PetscInt  nstages;
  char      stage_name[16][32];
  PetscReal stage_seconds[16];
  PetscReal total_seconds;
} HtReportData;

/* report.json text (malloc'ed; free()). */
PetscErrorCode HtReport_ToJSON(const HtReportData *rd, char **json);
/* Write text to path (fsync'ed; the caller renames it into place). */
PetscErrorCode HtReport_WriteFile(const char *path, const char *text);
/* The ranking table (rank, candidate, score, key metrics, notes). */
PetscErrorCode HtReport_PrintRanking(FILE *f, const HtReportData *rd);

#ifdef __cplusplus
}
#endif
