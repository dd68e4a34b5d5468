/* report.json and the ranking table. Only de-identified values are written (see htreport.h). */
#include "htreport.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HT_VERSION
#define HT_VERSION "unknown"
#endif

/* cJSON cannot represent NaN/Inf: write null so the report stays valid JSON. */
static cJSON *Num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }
static void   AddNum(cJSON *o, const char *k, double v) { cJSON_AddItemToObject(o, k, Num(v)); }
static cJSON *Vec3(const PetscReal x[3])
{
  cJSON *a = cJSON_CreateArray();
  for (int d = 0; d < 3; d++) cJSON_AddItemToArray(a, Num(x[d]));
  return a;
}

static PetscReal Rnd(PetscReal v, PetscReal q) { return isfinite(v) ? round(v / q) * q : v; }

static cJSON *NetworkJSON(const HtReportData *rd)
{
  cJSON           *o = cJSON_CreateObject(), *segs, *nodes, *les;
  const HtNetwork *net = rd->net;
  PetscInt         nout = 0;
  cJSON_AddNumberToObject(o, "nodes", (double)net->nnodes);
  cJSON_AddNumberToObject(o, "segments", (double)net->nsegs);
  for (PetscInt i = 0; i < net->nnodes; i++) nout += net->nodes[i].kind == HT_NODE_OUTLET;
  cJSON_AddNumberToObject(o, "outlets", (double)nout);
  AddNum(o, "total_length_mm", rd->crep.total_length_mm);
  AddNum(o, "max_radius_mm", rd->crep.max_radius_mm);
  if (rd->crep.inlet_hint_dist_mm >= 0) AddNum(o, "inlet_hint_distance_mm", rd->crep.inlet_hint_dist_mm);
  nodes = cJSON_AddArrayToObject(o, "node_list");
  for (PetscInt i = 0; i < net->nnodes; i++) {
    cJSON      *n    = cJSON_CreateObject();
    const char *kind = net->nodes[i].kind == HT_NODE_INLET ? "inlet" : net->nodes[i].kind == HT_NODE_OUTLET ? "outlet" : net->nodes[i].kind == HT_NODE_JUNCTION ? "junction" : "internal";
    cJSON_AddStringToObject(n, "name", net->nodes[i].name);
    cJSON_AddStringToObject(n, "kind", kind);
    cJSON_AddItemToObject(n, "position_mm", Vec3(net->nodes[i].x));
    cJSON_AddItemToArray(nodes, n);
  }
  segs = cJSON_AddArrayToObject(o, "segment_list");
  for (PetscInt s = 0; s < net->nsegs; s++) {
    const HtNetSegment *sg = &net->segs[s];
    cJSON              *so = cJSON_CreateObject();
    PetscReal           rmin = PETSC_MAX_REAL, rmax = 0, rsum = 0;
    for (PetscInt p = 0; p < sg->npts; p++) {
      rmin = PetscMin(rmin, sg->r[p]);
      rmax = PetscMax(rmax, sg->r[p]);
      rsum += sg->r[p];
    }
    cJSON_AddStringToObject(so, "name", sg->name);
    cJSON_AddStringToObject(so, "from", net->nodes[sg->node[0]].name);
    cJSON_AddStringToObject(so, "to", net->nodes[sg->node[1]].name);
    AddNum(so, "length_mm", HtNetSegment_Length(sg));
    AddNum(so, "radius_min_mm", rmin);
    AddNum(so, "radius_max_mm", rmax);
    AddNum(so, "radius_mean_mm", sg->npts ? rsum / sg->npts : 0);
    cJSON_AddItemToArray(segs, so);
  }
  les = cJSON_AddArrayToObject(o, "lesions");
  for (PetscInt i = 0; i < rd->nles; i++) {
    const HtLesion *l  = &rd->les[i];
    cJSON          *lo = cJSON_CreateObject();
    cJSON_AddNumberToObject(lo, "index", (double)i);
    cJSON_AddStringToObject(lo, "segment", net->segs[l->seg].name);
    AddNum(lo, "severity", l->severity);
    AddNum(lo, "radius_min_mm", l->r_min_mm);
    AddNum(lo, "radius_reference_mm", l->r_ref_mm);
    AddNum(lo, "length_mm", l->length_mm);
    AddNum(lo, "s_min_mm", l->s_min_mm);
    cJSON_AddItemToObject(lo, "position_min_mm", Vec3(l->x_min_mm));
    cJSON_AddItemToObject(lo, "position_start_mm", Vec3(l->x0_mm));
    cJSON_AddItemToObject(lo, "position_end_mm", Vec3(l->x1_mm));
    cJSON_AddBoolToObject(lo, "pressure_drop_region", i == rd->primary);
    cJSON_AddItemToArray(les, lo);
  }
  return o;
}

PetscErrorCode HtReport_ToJSON(const HtReportData *rd, char **json)
{
  cJSON *root, *o, *a, *v;
  PetscFunctionBeginUser;
  root = cJSON_CreateObject();
  PetscCheck(root, PETSC_COMM_SELF, PETSC_ERR_MEM, "report of case %s: out of memory", rd->case_name);
  cJSON_AddStringToObject(root, "case", rd->case_name);
  cJSON_AddStringToObject(root, "hemotwin_version", HT_VERSION);
  cJSON_AddStringToObject(root, "status", "ok");
  AddNum(root, "total_seconds", Rnd(rd->total_seconds, 1e-3));

  o = cJSON_AddObjectToObject(root, "input");
  cJSON_AddStringToObject(o, "patient_pseudonym", rd->pseudonym);
  cJSON_AddNumberToObject(o, "store_series_id", (double)rd->series_id);
  cJSON_AddStringToObject(o, "series_uid_deidentified", rd->series_uid);
  cJSON_AddStringToObject(o, "modality", rd->modality);
  a = cJSON_AddArrayToObject(o, "dimensions");
  for (int d = 0; d < 3; d++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)rd->grid.n[d]));
  cJSON_AddItemToObject(o, "spacing_mm", Vec3(rd->grid.spacing));
  cJSON_AddItemToObject(o, "origin_mm", Vec3(rd->grid.origin));

  a = cJSON_AddArrayToObject(root, "stages");
  for (PetscInt i = 0; i < rd->nstages; i++) {
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "name", rd->stage_name[i]);
    AddNum(s, "seconds", Rnd(rd->stage_seconds[i], 1e-3));
    cJSON_AddItemToArray(a, s);
  }

  o = cJSON_AddObjectToObject(root, "segmentation");
  v = cJSON_AddObjectToObject(o, "volume_mL");
  for (PetscInt i = 0; i < rd->nlabels; i++) AddNum(v, rd->label_name[i], rd->label_mL[i]);
  v = cJSON_AddObjectToObject(o, "label_values");
  for (PetscInt i = 0; i < rd->nlabels; i++) cJSON_AddNumberToObject(v, rd->label_name[i], rd->label_value[i]);
  AddNum(o, "threshold_HU", rd->seg.threshold_HU);
  AddNum(o, "tissue_HU", rd->seg.tissue_HU);
  AddNum(o, "blood_HU", rd->seg.blood_HU);
  AddNum(o, "aorta_seed_radius_mm", rd->seg.aorta_radius_mm);

  if (rd->net) cJSON_AddItemToObject(root, "network", NetworkJSON(rd));

  o = cJSON_AddObjectToObject(root, "surface");
  cJSON_AddBoolToObject(o, "generated", rd->have_surface);
  cJSON_AddBoolToObject(o, "capped", rd->surface_capped);
  if (rd->surface_note[0]) cJSON_AddStringToObject(o, "note", rd->surface_note);
  cJSON_AddNumberToObject(o, "points", (double)rd->squal.npts);
  cJSON_AddNumberToObject(o, "triangles", (double)rd->squal.ntri);
  cJSON_AddNumberToObject(o, "caps", (double)rd->ncaps);
  cJSON_AddNumberToObject(o, "boundary_edges", (double)rd->squal.boundary_edges);
  AddNum(o, "volume_mL", rd->squal.volume_mL);
  AddNum(o, "area_mm2", rd->squal.area_mm2);
  AddNum(o, "mean_edge_mm", rd->squal.mean_edge_mm);

  o = cJSON_AddObjectToObject(root, "mesh");
  cJSON_AddBoolToObject(o, "generated", rd->have_mesh);
  if (rd->mesh_note[0]) cJSON_AddStringToObject(o, "note", rd->mesh_note);
  if (rd->have_mesh) {
    cJSON_AddNumberToObject(o, "nodes", (double)rd->mesh_nodes);
    cJSON_AddNumberToObject(o, "tetrahedra", (double)rd->mesh_q.ntet);
    cJSON_AddNumberToObject(o, "boundary_triangles", (double)rd->mesh_nbtri);
    AddNum(o, "volume_mL", rd->mesh_q.volume_mL);
    AddNum(o, "min_dihedral_deg", rd->mesh_q.min_dihedral_deg);
    AddNum(o, "max_dihedral_deg", rd->mesh_q.max_dihedral_deg);
    AddNum(o, "min_radius_ratio", rd->mesh_q.min_radius_ratio);
    AddNum(o, "mean_radius_ratio", rd->mesh_q.mean_radius_ratio);
    cJSON_AddNumberToObject(o, "inverted_tetrahedra", (double)rd->mesh_q.inverted);
  }

  if (rd->bcs) {
    o = cJSON_AddObjectToObject(root, "outlet_tuning");
    cJSON_AddNumberToObject(o, "solves", (double)rd->bcs->solves);
    AddNum(o, "target_mean_pressure_mmHg", rd->c->mean_pressure_mmHg);
    AddNum(o, "mean_pressure_mmHg", rd->bcs->mean_pressure_sim_mmHg);
    AddNum(o, "mean_pressure_residual_percent", rd->bcs->mean_pressure_residual_percent);
    AddNum(o, "pulse_pressure_mmHg", rd->bcs->pulse_pressure_sim_mmHg);
    a = cJSON_AddArrayToObject(o, "outlets");
    for (PetscInt i = 0; i < rd->bcs->n; i++) {
      const HtOutletBC *b = &rd->bcs->bc[i];
      cJSON            *bo = cJSON_CreateObject();
      cJSON_AddStringToObject(bo, "name", b->name);
      AddNum(bo, "flow_fraction_percent", 100.0 * b->flow_fraction);
      AddNum(bo, "Rp_cgs", b->Rp_cgs);
      AddNum(bo, "C_cgs", b->C_cgs);
      AddNum(bo, "Rd_cgs", b->Rd_cgs);
      AddNum(bo, "Pd_mmHg", b->Pd_mmHg);
      cJSON_AddItemToArray(a, bo);
    }
  }

  o = cJSON_AddObjectToObject(root, "scoring");
  a = cJSON_AddArrayToObject(o, "objectives");
  for (PetscInt i = 0; i < rd->scoring.nobj; i++) {
    cJSON *so = cJSON_CreateObject();
    cJSON_AddStringToObject(so, "metric", rd->scoring.obj[i].metric);
    AddNum(so, "unacceptable", rd->scoring.obj[i].unacceptable);
    AddNum(so, "target", rd->scoring.obj[i].target);
    AddNum(so, "weight", rd->scoring.obj[i].weight);
    cJSON_AddItemToArray(a, so);
  }
  a = cJSON_AddArrayToObject(o, "guards");
  for (PetscInt i = 0; i < rd->scoring.nguards; i++) {
    cJSON *so = cJSON_CreateObject();
    cJSON_AddStringToObject(so, "metric", rd->scoring.guard[i].metric);
    AddNum(so, "max_value", rd->scoring.guard[i].max_value);
    AddNum(so, "penalty", rd->scoring.guard[i].penalty);
    cJSON_AddItemToArray(a, so);
  }

  a = cJSON_AddArrayToObject(root, "candidates");
  for (PetscInt i = 0; i < rd->ncand; i++) {
    const HtCaseCandidate *cd = &rd->c->cand[i];
    cJSON                 *co = cJSON_CreateObject(), *m;
    cJSON_AddStringToObject(co, "name", cd->name);
    cJSON_AddStringToObject(co, "type", HtCase_TypeName(cd->type));
    cJSON_AddBoolToObject(co, "applicable", rd->applicable[i]);
    if (rd->note[i][0]) cJSON_AddStringToObject(co, "note", rd->note[i]);
    if (rd->cand_lesion[i] >= 0) cJSON_AddNumberToObject(co, "lesion", (double)rd->cand_lesion[i]);
    if (rd->applicable[i]) {
      const HtCandidateResult *r = &rd->cand_res[i];
      char                     f[160];
      cJSON_AddNumberToObject(co, "rank", (double)r->rank);
      AddNum(co, "score", r->score);
      cJSON_AddBoolToObject(co, "guard_failed", r->guard_failed);
      if (r->guard_failed) cJSON_AddStringToObject(co, "guard_note", r->guard_note);
      cJSON_AddNumberToObject(co, "cycles_used", (double)r->cycles_used);
      AddNum(co, "cycle_change_mmHg", r->cycle_change_mmHg);
      snprintf(f, sizeof(f), "candidates/%s.json", cd->name);
      cJSON_AddStringToObject(co, "model", f);
      snprintf(f, sizeof(f), "results/%s.pvd", cd->name);
      cJSON_AddStringToObject(co, "results", f);
      m = cJSON_AddObjectToObject(co, "metrics");
      for (PetscInt k = 0; k < r->nmetrics; k++) AddNum(m, r->metrics[k].name, r->metrics[k].value);
    } else {
      cJSON_AddNullToObject(co, "rank");
      cJSON_AddNullToObject(co, "score");
    }
    cJSON_AddItemToArray(a, co);
  }

  *json = cJSON_Print(root);
  cJSON_Delete(root);
  PetscCheck(*json, PETSC_COMM_SELF, PETSC_ERR_MEM, "report of case %s: cannot print JSON", rd->case_name);
  PetscFunctionReturn(0);
}

PetscErrorCode HtReport_WriteFile(const char *path, const char *text)
{
  FILE  *f;
  size_t n = strlen(text);
  int    bad;
  PetscFunctionBeginUser;
  f = fopen(path, "wb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", path, strerror(errno));
  bad = fwrite(text, 1, n, f) != n;
  bad |= fputc('\n', f) == EOF;
  bad |= fflush(f) != 0;
  bad |= fsync(fileno(f)) != 0;
  bad |= fclose(f) != 0;
  if (bad) {
    unlink(path);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s (disk full?)", path);
  }
  PetscFunctionReturn(0);
}

static PetscReal MetricOr(const HtCandidateResult *r, const char *name)
{
  for (PetscInt k = 0; k < r->nmetrics; k++)
    if (!strcmp(r->metrics[k].name, name)) return r->metrics[k].value;
  return NAN;
}

static void PrintNum(FILE *f, PetscReal v, int width, int prec)
{
  if (isfinite(v)) fprintf(f, " %*.*f", width, prec, (double)v);
  else fprintf(f, " %*s", width, "-");
}

PetscErrorCode HtReport_PrintRanking(FILE *f, const HtReportData *rd)
{
  PetscInt order[HT_CASE_MAX_CANDIDATES], n = 0;
  PetscFunctionBeginUser;
  /* Ranked candidates first (by rank), then those that do not apply. */
  for (PetscInt i = 0; i < rd->ncand; i++)
    if (rd->applicable[i]) order[n++] = i;
  for (PetscInt a = 1; a < n; a++)
    for (PetscInt b = a; b > 0 && rd->cand_res[order[b]].rank < rd->cand_res[order[b - 1]].rank; b--) {
      PetscInt t   = order[b];
      order[b]     = order[b - 1];
      order[b - 1] = t;
    }
  for (PetscInt i = 0; i < rd->ncand; i++)
    if (!rd->applicable[i]) order[n++] = i;
  fprintf(f, "\nRanking for case %s (patient %s)\n", rd->case_name, rd->pseudonym);
  fprintf(f, "%4s  %-16s %-9s %7s %13s %13s %11s %11s  %s\n", "rank", "candidate", "type", "score", "dP_peak_mmHg", "dP_mean_mmHg", "CO_L_min", "dsplit_pct", "note");
  for (PetscInt k = 0; k < n; k++) {
    PetscInt               i  = order[k];
    const HtCaseCandidate *cd = &rd->c->cand[i];
    if (rd->applicable[i]) {
      const HtCandidateResult *r = &rd->cand_res[i];
      fprintf(f, "%4" PetscInt_FMT "  %-16s %-9s", r->rank, cd->name, HtCase_TypeName(cd->type));
      PrintNum(f, r->score, 7, 3);
      PrintNum(f, MetricOr(r, "pressure_drop_peak_mmHg"), 13, 2);
      PrintNum(f, MetricOr(r, "pressure_drop_mean_mmHg"), 13, 2);
      PrintNum(f, MetricOr(r, "cardiac_output_L_min"), 11, 3);
      PrintNum(f, MetricOr(r, "flow_split_change_percent"), 11, 2);
      fprintf(f, "  %s%s%s\n", r->guard_failed ? r->guard_note : "", r->guard_failed && rd->note[i][0] ? "; " : "", rd->note[i]);
    } else {
      fprintf(f, "%4s  %-16s %-9s %7s %13s %13s %11s %11s  %s\n", "-", cd->name, HtCase_TypeName(cd->type), "-", "-", "-", "-", "-", rd->note[i]);
    }
  }
  fflush(f);
  PetscFunctionReturn(0);
}
