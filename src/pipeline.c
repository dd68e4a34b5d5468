/* The end-to-end pipeline (see htpipeline.h for the stages and outputs).
 *
 * PHI: the DICOM meta (names, IDs, dates, UIDs, descriptions) exists only between the DICOM read and the
 * store import; it is freed right after. Everything downstream works on the volume loaded back from
 * the store (de-identified) and is labelled with the store's pseudonym / de-identified ids only.
 *
 * Atomicity: a stale report.json of an earlier run is removed before anything else, and the new one is
 * written to a temporary file and renamed after the last stage succeeded, so report.json exists only for
 * a successful run. The store changes only by one import transaction (idempotent for the same series)
 * and one run record at the very end. */
#include "htpipeline.h"
#include "htreport.h"
#include <htcenterline.h>
#include <htdicom.h>
#include <htmesh.h>
#include <htphantom.h>
#include <htplan.h>
#include <htsegment.h>
#include <htstore.h>
#include <htsurface.h>
#include <htvtkio.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

PetscErrorCode HtPipeline_DefaultOptions(HtPipelineOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(PetscStrncpy(o->store_path, "hemotwin.db", sizeof(o->store_path)));
  PetscFunctionReturn(0);
}

/* ---- stage timing ------------------------------------------------------------------------------ */
typedef struct {
  HtPipelineResult *res;
  double            t0;
  const char       *name;
} StageClock;

static void StageBegin(StageClock *sc, HtPipelineResult *res, const char *name, const char *what)
{
  sc->res  = res;
  sc->t0   = HtTime_Now();
  sc->name = name;
  HtLog_Info("[%s] %s", name, what);
}

static void StageEnd(StageClock *sc)
{
  HtPipelineResult *r = sc->res;
  double            dt = HtTime_Now() - sc->t0;
  if (r->nstages < HT_PIPELINE_MAX_STAGES) {
    snprintf(r->stage[r->nstages].name, sizeof(r->stage[0].name), "%s", sc->name);
    r->stage[r->nstages].seconds = dt;
    r->nstages++;
  }
  HtLog_Info("[%s] done in %.2f s", sc->name, dt);
}

/* ---- phantom input ------------------------------------------------------------------------------ */
static PetscErrorCode FolderHasEntries(const char *dir, PetscBool *has)
{
  DIR           *d;
  struct dirent *e;
  PetscFunctionBeginUser;
  *has = PETSC_FALSE;
  d    = opendir(dir);
  if (!d) PetscFunctionReturn(0);
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      *has = PETSC_TRUE;
      break;
    }
  }
  closedir(d);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPipeline_WritePhantomIfNeeded(const HtCase *c)
{
  PetscBool ex, isdir, has;
  PetscFunctionBeginUser;
  if (!c->write_phantom) PetscFunctionReturn(0);
  PetscCall(HtPath_Exists(c->dicom_dir, &ex, &isdir));
  PetscCheck(!ex || isdir, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: input.dicom %s exists and is not a folder", c->path[0] ? c->path : c->name, c->dicom_dir);
  PetscCall(FolderHasEntries(c->dicom_dir, &has));
  if (has) {
    /* Same seed gives the same pixels; reusing the series keeps its UIDs, so the store import is idempotent. */
    HtLog_Info("[phantom] reusing the phantom series already in %s (delete the folder to regenerate it)", c->dicom_dir);
    PetscFunctionReturn(0);
  }
  HtLog_Info("[phantom] writing the default coarctation phantom (seed %" PetscInt_FMT ") to %s", c->phantom_seed, c->dicom_dir);
  PetscCall(HtPhantom_WriteDefault(c->dicom_dir, (unsigned)c->phantom_seed));
  PetscFunctionReturn(0);
}

/* ---- helpers ------------------------------------------------------------------------------------ */
/* Centroid (LPS mm) of the voxels with label value; *n = voxel count. */
static void LabelCentroid(const HtLabels *lab, int value, PetscReal c[3], PetscInt *n)
{
  const HtGrid *g = &lab->g;
  double        s[3] = {0, 0, 0};
  PetscInt      cnt  = 0;
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        if (lab->lab[HtGrid_Index(g, i, j, k)] != value) continue;
        s[0] += i;
        s[1] += j;
        s[2] += k;
        cnt++;
      }
  *n = cnt;
  if (cnt) {
    PetscReal ijk[3] = {s[0] / cnt, s[1] / cnt, s[2] / cnt};
    HtGrid_IndexToWorld(g, ijk, c);
  }
}

/* Voxel of label value nearest to x (LPS mm); PETSC_FALSE if the label is empty. */
static PetscBool NearestLabelPoint(const HtLabels *lab, int value, const PetscReal x[3], PetscReal out[3])
{
  const HtGrid *g    = &lab->g;
  PetscReal     best = PETSC_MAX_REAL;
  PetscBool     any  = PETSC_FALSE;
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        PetscReal ijk[3] = {(PetscReal)i, (PetscReal)j, (PetscReal)k}, w[3], d;
        if (lab->lab[HtGrid_Index(g, i, j, k)] != value) continue;
        HtGrid_IndexToWorld(g, ijk, w);
        d = (w[0] - x[0]) * (w[0] - x[0]) + (w[1] - x[1]) * (w[1] - x[1]) + (w[2] - x[2]) * (w[2] - x[2]);
        if (d < best) {
          best = d;
          out[0] = w[0];
          out[1] = w[1];
          out[2] = w[2];
          any    = PETSC_TRUE;
        }
      }
  return any;
}

static PetscErrorCode OutPath(const HtPipelineOptions *o, const char *rel, char *buf, size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(HtPath_Join(buf, len, o->out_dir, rel));
  PetscFunctionReturn(0);
}

/* ---- the pipeline -------------------------------------------------------------------------------- */
typedef struct {
  HtVolume        vol;
  HtLabels        lab;
  HtNetwork       net;
  HtSurface       surf, capped;
  HtMesh          mesh;
  HtStore         st;
  HtDicomMeta     meta;
  HtSegmentReport srep;
  HtCenterlineReport crep;
  HtSurfaceQuality   squal;
  PetscBool       have_mesh;
  PetscInt        nles;
  HtLesion       *les;
  HtOutletSet     bcs;
  PetscInt        ncand;
  HtCandidateResult *res;        /* one per case candidate (only applicable ones are filled) */
  PetscBool         *applicable;
  char             (*note)[320]; /* why a candidate does not apply / what it targets */
  PetscInt         *cand_lesion; /* lesion index used by each candidate, -1 none */
} Work;

static PetscErrorCode WorkDestroy(Work *w)
{
  PetscFunctionBeginUser;
  PetscCall(HtVolume_Free(&w->vol));
  PetscCall(HtLabels_Free(&w->lab));
  PetscCall(HtNetwork_Destroy(&w->net));
  PetscCall(HtSurface_Destroy(&w->surf));
  PetscCall(HtSurface_Destroy(&w->capped));
  if (w->have_mesh) PetscCall(HtMesh_Destroy(&w->mesh));
  PetscCall(HtDicomMeta_Free(&w->meta));
  if (w->st) PetscCall(HtStore_Close(&w->st));
  PetscCall(PetscFree(w->les));
  PetscCall(HtOutletSet_Destroy(&w->bcs));
  if (w->res) {
    for (PetscInt i = 0; i < w->ncand; i++)
      if (w->applicable[i]) PetscCall(HtCandidateResult_Destroy(&w->res[i]));
  }
  PetscCall(PetscFree(w->res));
  PetscCall(PetscFree(w->applicable));
  PetscCall(PetscFree(w->note));
  PetscCall(PetscFree(w->cand_lesion));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageDicom(const HtCase *c, const HtPipelineOptions *o, Work *w, HtReportData *rd)
{
  HtStoreIds ids;
  char       path[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(HtDicom_ReadSeries(c->dicom_dir, c->series_uid[0] ? c->series_uid : NULL, &w->vol, &w->meta));
  for (PetscInt i = 0; i < w->meta.nwarnings; i++) HtLog_Warn("%s", w->meta.warnings[i]);
  HtLog_Info("[dicom] %s series: %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " voxels, spacing %.3g x %.3g x %.3g mm", w->meta.modality, w->vol.g.n[0], w->vol.g.n[1], w->vol.g.n[2], (double)w->vol.g.spacing[0], (double)w->vol.g.spacing[1], (double)w->vol.g.spacing[2]);
  /* The store is opened only after the input read fine: bad input never touches it. */
  PetscCall(HtStore_Open(o->store_path, o->key_path[0] ? o->key_path : NULL, &w->st));
  PetscCall(HtStore_ImportSeries(w->st, &w->vol, &w->meta, &ids));
  /* From here on nothing identifying is kept: drop the meta and re-load the volume from the store. */
  PetscCall(HtDicomMeta_Free(&w->meta));
  PetscCall(HtVolume_Free(&w->vol));
  PetscCall(HtStore_LoadVolume(w->st, ids.series_id, &w->vol));
  rd->series_id = ids.series_id;
  PetscCall(PetscStrncpy(rd->pseudonym, ids.pseudonym, sizeof(rd->pseudonym)));
  PetscCall(PetscStrncpy(rd->series_uid, ids.series_uid, sizeof(rd->series_uid)));
  PetscCall(HtStore_GetSeries(w->st, ids.series_id, rd->modality, rd->series_uid, rd->pseudonym));
  rd->grid = w->vol.g;
  HtLog_Info("[dicom] %s series %" PetscInt_FMT " of patient %s in store %s", ids.existed ? "found existing" : "imported", ids.series_id, ids.pseudonym, o->store_path);
  PetscCall(OutPath(o, "image.vti", path, sizeof(path)));
  PetscCall(HtVTK_WriteVolume(path, &w->vol, "HU"));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageSegment(const HtCase *c, const HtPipelineOptions *o, Work *w, HtReportData *rd)
{
  HtSegmentOptions so;
  char             path[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(HtSegment_DefaultOptions(&so));
  if (!isnan(c->seg_min_HU)) so.min_HU = c->seg_min_HU;
  if (!isnan(c->seg_max_HU)) so.max_HU = c->seg_max_HU;
  PetscCall(HtSegment_SetFromOptions(&so));
  PetscCall(HtSegment_BloodPool(&w->vol, &so, &w->lab, &w->srep));
  rd->seg = w->srep;
  rd->nlabels = 0;
  for (int v = 1; v < 8; v++) {
    const char *nm = HtLabels_GetName(&w->lab, v);
    if (!nm) continue;
    PetscCall(PetscStrncpy(rd->label_name[rd->nlabels], nm, sizeof(rd->label_name[0])));
    rd->label_value[rd->nlabels] = v;
    rd->label_mL[rd->nlabels]    = HtLabels_Volume_mL(&w->lab, v);
    HtLog_Info("[segment] label %d %s: %.1f mL", v, nm, (double)rd->label_mL[rd->nlabels]);
    rd->nlabels++;
  }
  HtLog_Info("[segment] contrast threshold %.0f HU", (double)w->srep.threshold_HU);
  PetscCheck(HtLabels_Volume_mL(&w->lab, HT_SEG_AORTA) > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "segmentation of series %" PetscInt_FMT ": no aorta found (label 1 empty)", rd->series_id);
  PetscCall(OutPath(o, "segmentation.vti", path, sizeof(path)));
  PetscCall(HtVTK_WriteLabels(path, &w->lab, "label"));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageNetwork(const HtCase *c, const HtPipelineOptions *o, Work *w, HtReportData *rd)
{
  HtCenterlineOptions co;
  PetscReal           hc[3] = {0, 0, 0}, hint[3] = {0, 0, 0};
  PetscInt            nheart;
  char                path[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(HtCenterline_DefaultOptions(&co));
  if (c->cl_resample_mm > 0) co.resample_mm = c->cl_resample_mm;
  if (c->cl_min_branch_mm > 0) co.min_branch_mm = c->cl_min_branch_mm;
  /* The aortic root is where the aorta meets the heart: hint = aorta voxel nearest the heart centroid. */
  LabelCentroid(&w->lab, HT_SEG_HEART, hc, &nheart);
  if (nheart && NearestLabelPoint(&w->lab, HT_SEG_AORTA, hc, hint)) {
    co.have_inlet_hint = PETSC_TRUE;
    for (int d = 0; d < 3; d++) co.inlet_hint_mm[d] = hint[d];
    HtLog_Info("[network] inlet hint (aorta nearest the heart centroid): (%.1f, %.1f, %.1f) mm", (double)hint[0], (double)hint[1], (double)hint[2]);
  } else HtLog_Warn("no heart label: the inlet is the centerline end with the largest radius");
  PetscCall(HtCenterline_SetFromOptions(&co, NULL));
  PetscCall(HtCenterline_Extract(&w->lab, HT_SEG_AORTA, &co, &w->net, &w->crep));
  PetscCall(HtNetwork_Check(&w->net));
  rd->crep = w->crep;
  rd->net  = &w->net;
  HtLog_Info("[network] %" PetscInt_FMT " segments, %" PetscInt_FMT " nodes, total length %.0f mm", w->net.nsegs, w->net.nnodes, (double)w->crep.total_length_mm);
  PetscCall(OutPath(o, "network.vtp", path, sizeof(path)));
  PetscCall(HtVTK_WriteNetwork(path, &w->net, 0, NULL));
  PetscFunctionReturn(0);
}

/* The 3D outputs (capped surface, volume mesh) do not feed the 0D planning. Unless the case says
 * meshing.required, a failure there is reported (warning + report.json note) and the run goes on. */
static PetscErrorCode SoftFail(const HtCase *c, PetscErrorCode ierr, const char *what, char *note, size_t len)
{
  const char *msg = HtError_LastMessage();
  PetscFunctionBeginUser;
  if (!ierr) PetscFunctionReturn(0);
  if (c->mesh_required) PetscCall(ierr);
  PetscCall(PetscSNPrintf(note, len, "%s failed: %s", what, msg && msg[0] ? msg : "see the log"));
  HtError_Clear();
  HtLog_Warn("%s (meshing.required is false: going on without it)", note);
  PetscFunctionReturn(0);
}

static PetscErrorCode StageSurface(const HtCase *c, const HtPipelineOptions *o, Work *w, HtReportData *rd)
{
  HtSurfaceOptions so;
  const int        values[1] = {HT_SEG_AORTA};
  char             path[PETSC_MAX_PATH_LEN];
  PetscErrorCode   ierr;
  PetscFunctionBeginUser;
  PetscCall(HtSurfaceOptions_Default(&so));
  so.smooth_iter = c->surface_smoothing_iterations;
  PetscCall(HtSurfaceOptions_SetFromOptions(&so, NULL));
  PetscCall(OutPath(o, "surface.vtp", path, sizeof(path)));
  ierr = HtSurface_FromLabels(&w->lab, values, 1, &so, &w->surf);
  PetscCall(SoftFail(c, ierr, "aorta surface", rd->surface_note, sizeof(rd->surface_note)));
  if (ierr) PetscFunctionReturn(0);
  rd->have_surface = PETSC_TRUE;
  ierr = HtSurface_Cap(&w->surf, &w->net, &w->capped);
  if (!ierr) ierr = HtSurface_Check(&w->capped, &w->squal);
  PetscCall(SoftFail(c, ierr, "surface capping", rd->surface_note, sizeof(rd->surface_note)));
  if (ierr) {
    /* Keep the open wall surface for inspection in ParaView. */
    PetscCall(HtSurface_Destroy(&w->capped));
    PetscCall(HtSurface_Quality(&w->surf, &w->squal));
    rd->squal = w->squal;
    PetscCall(HtVTK_WriteSurface(path, &w->surf));
    HtLog_Info("[surface] uncapped surface written: %" PetscInt_FMT " triangles", w->surf.ntri);
    PetscFunctionReturn(0);
  }
  rd->surface_capped = PETSC_TRUE;
  rd->squal          = w->squal;
  rd->ncaps          = w->capped.ncaps;
  HtLog_Info("[surface] %" PetscInt_FMT " triangles, %" PetscInt_FMT " caps, enclosed %.1f mL", w->capped.ntri, w->capped.ncaps, (double)w->squal.volume_mL);
  PetscCall(HtVTK_WriteSurface(path, &w->capped));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageMesh(const HtCase *c, const HtPipelineOptions *o, Work *w, HtReportData *rd)
{
  HtMeshOptions  mo;
  char           msh[PETSC_MAX_PATH_LEN], vtu[PETSC_MAX_PATH_LEN];
  PetscErrorCode ierr;
  PetscFunctionBeginUser;
  if (!rd->surface_capped) {
    PetscCall(PetscSNPrintf(rd->mesh_note, sizeof(rd->mesh_note), "no volume mesh: no capped surface"));
    HtLog_Warn("%s", rd->mesh_note);
    PetscFunctionReturn(0);
  }
  PetscCall(HtMeshOptions_Default(&mo));
  mo.size_mm = c->mesh_size_mm;
  PetscCall(HtMeshOptions_SetFromOptions(&mo, NULL));
  PetscCall(OutPath(o, "mesh.msh", msh, sizeof(msh)));
  PetscCall(OutPath(o, "mesh.vtu", vtu, sizeof(vtu)));
  ierr = HtMesh_Generate(&w->capped, &mo, msh, &w->mesh);
  PetscCall(SoftFail(c, ierr, "volume mesh", rd->mesh_note, sizeof(rd->mesh_note)));
  if (ierr) {
    (void)unlink(msh); /* no half-written mesh next to a report that says there is none */
    PetscFunctionReturn(0);
  }
  w->have_mesh   = PETSC_TRUE;
  rd->have_mesh  = PETSC_TRUE;
  rd->mesh_nodes = w->mesh.nnodes;
  rd->mesh_q     = w->mesh.q;
  rd->mesh_nbtri = w->mesh.nbtri;
  HtLog_Info("[mesh] %" PetscInt_FMT " tetrahedra, %" PetscInt_FMT " nodes, min dihedral %.1f deg, volume %.1f mL", w->mesh.ntet, w->mesh.nnodes, (double)w->mesh.q.min_dihedral_deg, (double)w->mesh.q.volume_mL);
  PetscCall(HtVTK_WriteMesh(vtu, &w->mesh));
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseToPhysiology(const HtCase *c, HtPhysiology *ph)
{
  PetscFunctionBeginUser;
  PetscCall(HtPhysiology_Default(ph));
  ph->heart_rate_bpm       = c->heart_rate_bpm;
  ph->cardiac_output_L_min = c->cardiac_output_L_min;
  ph->mean_pressure_mmHg   = c->mean_pressure_mmHg;
  ph->pulse_pressure_mmHg  = c->pulse_pressure_mmHg;
  ph->blood_density_g_cm3  = c->blood_density_g_cm3;
  ph->blood_viscosity_P    = c->blood_viscosity_P;
  ph->points_per_cycle     = c->points_per_cycle;
  ph->max_cycles           = c->max_cycles;
  ph->cycle_tolerance_mmHg = c->cycle_tolerance_mmHg;
  ph->lesion_min_severity  = c->lesion_min_severity;
  PetscCall(HtPhysiology_Check(ph));
  PetscFunctionReturn(0);
}

/* Settings the planning stage will use, checked before any stage runs so that a bad case file fails at
 * once, names the key, and leaves the store untouched. */
static PetscErrorCode PreflightPlanSettings(const HtCase *c)
{
  HtPhysiology ph;
  PetscFunctionBeginUser;
  PetscCall(CaseToPhysiology(c, &ph));
  for (PetscInt k = 0; k < c->nweights; k++)
    PetscCheck(HtScoring_IsKnownMetric(c->weights[k].name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: scoring.weights.%s: not a scorable metric (known: %s)", c->path, c->weights[k].name, HT_SCORING_KNOWN_METRICS);
  PetscFunctionReturn(0);
}

static PetscErrorCode StagePlan(const HtCase *c, const HtPipelineOptions *o, Work *w, HtReportData *rd)
{
  HtPhysiology       ph;
  HtScoring          sc;
  const HtLesion    *primary = NULL;
  PetscInt           nok = 0, ibase = -1;
  HtCandidateResult *ok  = NULL;
  char               cdir[PETSC_MAX_PATH_LEN], rdir[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  PetscCall(CaseToPhysiology(c, &ph));
  PetscCall(HtPlan_FindLesions(&w->net, c->lesion_min_severity, &w->nles, &w->les));
  rd->nles = w->nles;
  rd->les  = w->les;
  if (!w->nles) HtLog_Info("[plan] no narrowing with severity >= %.2f found", (double)c->lesion_min_severity);
  for (PetscInt i = 0; i < w->nles; i++) {
    const HtLesion *l = &w->les[i];
    HtLog_Info("[plan] lesion %" PetscInt_FMT ": segment %" PetscInt_FMT ", severity %.2f (r_min %.1f mm, r_ref %.1f mm), length %.1f mm, at (%.1f, %.1f, %.1f) mm", i, l->seg, (double)l->severity, (double)l->r_min_mm, (double)l->r_ref_mm, (double)l->length_mm, (double)l->x_min_mm[0], (double)l->x_min_mm[1], (double)l->x_min_mm[2]);
  }
  /* Candidates and the lesion each one treats; the first treated lesion (else the worst) is the region
   * where the pressure drop of every candidate is measured, so the drops are comparable. */
  w->ncand = c->ncand;
  PetscCall(PetscCalloc1(c->ncand, &w->res));
  PetscCall(PetscCalloc1(c->ncand, &w->applicable));
  PetscCall(PetscCalloc1(c->ncand, &w->note));
  PetscCall(PetscCalloc1(c->ncand, &w->cand_lesion));
  for (PetscInt i = 0; i < c->ncand; i++) {
    const HtCaseCandidate *cd = &c->cand[i];
    w->cand_lesion[i]         = -1;
    w->applicable[i]          = PETSC_TRUE;
    if (cd->type == HT_CAND_BASELINE) continue;
    if (!w->nles) {
      w->applicable[i] = PETSC_FALSE;
      PetscCall(PetscSNPrintf(w->note[i], sizeof(w->note[i]), "not applicable: no narrowing with severity >= %.2f was found", (double)c->lesion_min_severity));
    } else if (cd->lesion >= w->nles) {
      w->applicable[i] = PETSC_FALSE;
      PetscCall(PetscSNPrintf(w->note[i], sizeof(w->note[i]), "not applicable: lesion %" PetscInt_FMT " requested, %" PetscInt_FMT " found", cd->lesion, w->nles));
    } else {
      w->cand_lesion[i] = cd->lesion < 0 ? 0 : cd->lesion;
      if (!primary) primary = &w->les[w->cand_lesion[i]];
    }
    if (!w->applicable[i]) HtLog_Warn("candidate %s (%s): %s", cd->name, HtCase_TypeName(cd->type), w->note[i]);
  }
  if (!primary && w->nles) primary = &w->les[0];
  rd->primary = primary ? (PetscInt)(primary - w->les) : -1;

  PetscCall(HtPlan_TuneOutlets(&w->net, &ph, NULL, primary, &w->bcs));
  rd->bcs = &w->bcs;
  HtLog_Info("[plan] outlets tuned in %" PetscInt_FMT " solves: mean inlet pressure %.1f mmHg (residual %.2f %%), pulse pressure %.1f mmHg", w->bcs.solves, (double)w->bcs.mean_pressure_sim_mmHg, (double)w->bcs.mean_pressure_residual_percent, (double)w->bcs.pulse_pressure_sim_mmHg);

  PetscCall(OutPath(o, "candidates", cdir, sizeof(cdir)));
  PetscCall(OutPath(o, "results", rdir, sizeof(rdir)));
  PetscCall(HtPath_MakeDir(cdir));
  PetscCall(HtPath_MakeDir(rdir));
  for (PetscInt i = 0; i < c->ncand; i++) {
    const HtCaseCandidate *cd = &c->cand[i];
    const HtLesion        *l  = w->cand_lesion[i] >= 0 ? &w->les[w->cand_lesion[i]] : NULL;
    HtNetwork              cn;
    char                   path[PETSC_MAX_PATH_LEN], fname[96];
    PetscErrorCode         ierr;
    if (!w->applicable[i]) continue;
    PetscCall(HtNetwork_Init(&cn));
    PetscCall(HtNetwork_Clone(&w->net, &cn));
    ierr = 0;
    switch (cd->type) {
    case HT_CAND_BASELINE: break;
    case HT_CAND_STENT:
      ierr = HtPlan_ApplyStent(&cn, l, cd->success_fraction);
      if (!ierr) PetscCall(PetscSNPrintf(w->note[i], sizeof(w->note[i]), "stent on lesion %" PetscInt_FMT " (severity %.2f), success fraction %.2f", w->cand_lesion[i], (double)l->severity, (double)cd->success_fraction));
      break;
    case HT_CAND_BYPASS:
      ierr = HtPlan_ApplyBypassAroundLesion(&cn, l, cd->margin_mm, cd->radius_mm, cd->length_mm, NULL);
      if (!ierr) PetscCall(PetscSNPrintf(w->note[i], sizeof(w->note[i]), "bypass graft r %.1f mm around lesion %" PetscInt_FMT ", anastomoses %.0f mm from it", (double)cd->radius_mm, w->cand_lesion[i], (double)cd->margin_mm));
      break;
    }
    if (!ierr) {
      HtLog_Info("[plan] candidate %s (%s): simulating", cd->name, HtCase_TypeName(cd->type));
      ierr = HtPlan_Simulate(&cn, &ph, &w->bcs, primary, cd->name, &w->res[i]);
    }
    if (!ierr) {
      PetscCall(PetscSNPrintf(fname, sizeof(fname), "%s.json", cd->name));
      PetscCall(HtPath_Join(path, sizeof(path), cdir, fname));
      ierr = HtPlan_WriteModel(path, w->res[i].model);
    }
    if (!ierr) ierr = HtPlan_WriteResultsVTK(rdir, cd->name, &cn, &w->res[i]);
    PetscCall(HtNetwork_Destroy(&cn));
    if (ierr) {
      /* The baseline is the reference: without it nothing can be ranked. A treatment that cannot be
       * built or solved on this anatomy is reported (warning, report note, table) and left unranked. */
      const char *msg = HtError_LastMessage();
      if (cd->type == HT_CAND_BASELINE || ierr == PETSC_ERR_MEM) PetscCall(ierr);
      PetscCall(PetscSNPrintf(w->note[i], sizeof(w->note[i]), "failed: %s", msg && msg[0] ? msg : "see the log"));
      HtError_Clear();
      PetscCall(HtCandidateResult_Destroy(&w->res[i]));
      PetscCall(PetscMemzero(&w->res[i], sizeof(w->res[i])));
      w->applicable[i] = PETSC_FALSE;
      HtLog_Warn("candidate %s (%s) %s", cd->name, HtCase_TypeName(cd->type), w->note[i]);
      continue;
    }
    HtLog_Info("[plan] candidate %s: periodic after %" PetscInt_FMT " cycles (change %.3g mmHg)", cd->name, w->res[i].cycles_used, (double)w->res[i].cycle_change_mmHg);
  }
  /* Score the applicable candidates together (copied by value; the originals keep ownership). */
  PetscCall(HtScoring_Default(&ph, &sc));
  for (PetscInt k = 0; k < c->nweights; k++) PetscCall(HtScoring_SetWeight(&sc, c->weights[k].name, c->weights[k].weight));
  PetscCall(PetscMalloc1(c->ncand, &ok));
  for (PetscInt i = 0; i < c->ncand; i++) {
    if (!w->applicable[i]) continue;
    if (c->cand[i].type == HT_CAND_BASELINE) ibase = nok;
    ok[nok++] = w->res[i];
  }
  PetscCheck(ibase >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "case %s: no baseline candidate", c->name);
  PetscCall(HtPlan_Score(ok, nok, ibase, &sc));
  nok = 0;
  for (PetscInt i = 0; i < c->ncand; i++) {
    if (!w->applicable[i]) continue;
    w->res[i] = ok[nok++];
  }
  PetscCall(PetscFree(ok));
  rd->scoring = sc;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPipeline_Run(const HtCase *c, const HtPipelineOptions *o, HtPipelineResult *res)
{
  Work           w;
  HtReportData   rd;
  StageClock     sc;
  char           report[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  char          *json = NULL;
  PetscErrorCode ierr = 0;
  double         t0   = HtTime_Now();
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(res, sizeof(*res)));
  PetscCall(PetscMemzero(&w, sizeof(w)));
  PetscCall(PetscMemzero(&rd, sizeof(rd)));
  PetscCall(HtNetwork_Init(&w.net));
  PetscCheck(o->out_dir[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "case %s: no output folder", c->name);
  PetscCall(OutPath(o, "report.json", report, sizeof(report)));
  PetscCall(OutPath(o, ".report.json.tmp", tmp, sizeof(tmp)));
  /* A stale report from an earlier run must not survive a failing run. */
  if (unlink(report) && access(report, F_OK) == 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot remove the previous %s", report);
  PetscCall(PreflightPlanSettings(c));
  PetscCall(HtPath_MakeDir(o->out_dir));
  HtLog_Info("case %s -> %s", c->name, o->out_dir);

  rd.c    = c;
  rd.case_name = c->name;
  rd.cand_res   = NULL;
  rd.primary    = -1;

  /* Each stage runs through this macro: on error the work is released and the error propagates. */
#define STAGE(fn, name, what) \
  do { \
    StageBegin(&sc, res, name, what); \
    ierr = fn(c, o, &w, &rd); \
    if (ierr) goto fail; \
    StageEnd(&sc); \
  } while (0)

  if (c->write_phantom) {
    StageBegin(&sc, res, "phantom", "synthetic CT input");
    ierr = HtPipeline_WritePhantomIfNeeded(c);
    if (ierr) goto fail;
    StageEnd(&sc);
  }
  STAGE(StageDicom, "dicom", "read DICOM, de-identify, import into the store");
  STAGE(StageSegment, "segment", "blood-pool segmentation");
  STAGE(StageNetwork, "network", "aorta centerlines and vessel network");
  STAGE(StageSurface, "surface", "aorta surface and caps");
  if (c->volume_mesh) STAGE(StageMesh, "mesh", "Gmsh tetrahedral mesh");
  else PetscCall(PetscSNPrintf(rd.mesh_note, sizeof(rd.mesh_note), "not requested (meshing.volume_mesh is false)"));
  STAGE(StagePlan, "plan", "0D models, candidates, scoring");
#undef STAGE

  /* Report: written to a temp file, the run recorded, then renamed into place. */
  StageBegin(&sc, res, "report", "report.json and run record");
  rd.ncand      = w.ncand;
  rd.cand_res   = w.res;
  rd.applicable = w.applicable;
  rd.note       = w.note;
  rd.cand_lesion = w.cand_lesion;
  rd.nstages    = res->nstages;
  for (PetscInt i = 0; i < res->nstages; i++) {
    PetscCall(PetscStrncpy(rd.stage_name[i], res->stage[i].name, sizeof(rd.stage_name[0])));
    rd.stage_seconds[i] = res->stage[i].seconds;
  }
  rd.total_seconds = HtTime_Now() - t0;
  ierr = HtReport_ToJSON(&rd, &json);
  if (ierr) goto fail;
  ierr = HtReport_WriteFile(tmp, json);
  if (ierr) goto fail;
  ierr = HtStore_RecordRun(w.st, rd.series_id, c->name, json, &res->run_id);
  if (ierr) goto fail;
  if (rename(tmp, report)) {
    unlink(tmp);
    free(json);
    (void)WorkDestroy(&w);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot move the report into place: %s", report);
  }
  StageEnd(&sc);
  res->series_id = rd.series_id;
  PetscCall(PetscStrncpy(res->report_path, report, sizeof(res->report_path)));
  HtLog_Info("run %" PetscInt_FMT " recorded; report %s (%.1f s in total)", res->run_id, report, HtTime_Now() - t0);
  if (o->json) {
    fputs(json, stdout);
    fputc('\n', stdout);
  } else PetscCall(HtReport_PrintRanking(stdout, &rd));
  free(json);
  PetscCall(WorkDestroy(&w));
  PetscFunctionReturn(0);

fail:
  /* Keep the original error: clean up silently, leave no report behind. */
  if (json) free(json);
  unlink(tmp);
  (void)WorkDestroy(&w);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}
