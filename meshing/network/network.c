/* HtNetwork: storage and editing of the vessel network (see htnetwork.h). */
#include "htnetwork.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

PetscErrorCode HtNetwork_Init(HtNetwork *net)
{
  PetscFunctionBeginUser;
  memset(net, 0, sizeof(*net));
  PetscFunctionReturn(0);
}

static PetscErrorCode SegFree(HtNetSegment *sg)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(sg->x));
  PetscCall(PetscFree(sg->r));
  PetscCall(PetscFree(sg->s));
  PetscFunctionReturn(0);
}

PetscErrorCode HtNetwork_Destroy(HtNetwork *net)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < net->nsegs; i++) PetscCall(SegFree(&net->segs[i]));
  PetscCall(PetscFree(net->segs));
  PetscCall(PetscFree(net->nodes));
  memset(net, 0, sizeof(*net));
  PetscFunctionReturn(0);
}

PetscErrorCode HtNetwork_Clone(const HtNetwork *src, HtNetwork *dst)
{
  PetscFunctionBeginUser;
  PetscCheck(src != dst, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network clone: source and destination are the same object");
  PetscCall(HtNetwork_Init(dst));
  dst->capnodes = src->nnodes > 0 ? src->nnodes : 1;
  dst->capsegs  = src->nsegs > 0 ? src->nsegs : 1;
  PetscCall(PetscCalloc1(dst->capnodes, &dst->nodes));
  PetscCall(PetscCalloc1(dst->capsegs, &dst->segs));
  if (src->nnodes) PetscCall(PetscArraycpy(dst->nodes, src->nodes, src->nnodes));
  dst->nnodes = src->nnodes;
  for (PetscInt i = 0; i < src->nsegs; i++) {
    const HtNetSegment *a = &src->segs[i];
    HtNetSegment       *b = &dst->segs[i];
    *b = *a;
    PetscCall(PetscMalloc1(3 * a->npts, &b->x));
    PetscCall(PetscMalloc1(a->npts, &b->r));
    PetscCall(PetscMalloc1(a->npts, &b->s));
    PetscCall(PetscArraycpy(b->x, a->x, 3 * a->npts));
    PetscCall(PetscArraycpy(b->r, a->r, a->npts));
    PetscCall(PetscArraycpy(b->s, a->s, a->npts));
    dst->nsegs = i + 1;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtNetwork_AddNode(HtNetwork *net, const PetscReal x[3], HtNodeKind kind, const char *name, PetscInt *id)
{
  HtNetNode *nd;
  PetscFunctionBeginUser;
  PetscCheck(isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: node %s has a non-finite position", name ? name : "(unnamed)");
  if (net->nnodes == net->capnodes) {
    PetscInt   cap = net->capnodes ? 2 * net->capnodes : 16;
    HtNetNode *nn;
    PetscCall(PetscCalloc1(cap, &nn));
    if (net->nnodes) PetscCall(PetscArraycpy(nn, net->nodes, net->nnodes));
    PetscCall(PetscFree(net->nodes));
    net->nodes    = nn;
    net->capnodes = cap;
  }
  nd = &net->nodes[net->nnodes];
  memset(nd, 0, sizeof(*nd));
  for (int c = 0; c < 3; c++) nd->x[c] = x[c];
  nd->kind = kind;
  if (name) snprintf(nd->name, sizeof(nd->name), "%s", name);
  else snprintf(nd->name, sizeof(nd->name), "node_%" PetscInt_FMT, net->nnodes);
  if (id) *id = net->nnodes;
  net->nnodes++;
  PetscFunctionReturn(0);
}

/* Arc length by summing chord lengths. */
static void ComputeArc(HtNetSegment *sg)
{
  sg->s[0] = 0;
  for (PetscInt i = 1; i < sg->npts; i++) {
    const PetscReal *a = &sg->x[3 * (i - 1)], *b = &sg->x[3 * i];
    sg->s[i] = sg->s[i - 1] + PetscSqrtReal(PetscSqr(b[0] - a[0]) + PetscSqr(b[1] - a[1]) + PetscSqr(b[2] - a[2]));
  }
}

PetscErrorCode HtNetwork_AddSegment(HtNetwork *net, PetscInt n0, PetscInt n1, PetscInt npts, const PetscReal *x, const PetscReal *r, const char *name, PetscInt *id)
{
  HtNetSegment *sg;
  PetscFunctionBeginUser;
  PetscCheck(n0 >= 0 && n0 < net->nnodes && n1 >= 0 && n1 < net->nnodes, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s joins nodes %" PetscInt_FMT " and %" PetscInt_FMT " but the network has %" PetscInt_FMT " nodes", name ? name : "(unnamed)", n0, n1, net->nnodes);
  PetscCheck(n0 != n1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s starts and ends at the same node %" PetscInt_FMT, name ? name : "(unnamed)", n0);
  PetscCheck(npts >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s has %" PetscInt_FMT " samples, needs >= 2", name ? name : "(unnamed)", npts);
  for (PetscInt i = 0; i < npts; i++) {
    PetscCheck(isfinite(x[3 * i]) && isfinite(x[3 * i + 1]) && isfinite(x[3 * i + 2]) && isfinite(r[i]), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s sample %" PetscInt_FMT " is not finite", name ? name : "(unnamed)", i);
  }
  if (net->nsegs == net->capsegs) {
    PetscInt      cap = net->capsegs ? 2 * net->capsegs : 16;
    HtNetSegment *ns;
    PetscCall(PetscCalloc1(cap, &ns));
    if (net->nsegs) PetscCall(PetscArraycpy(ns, net->segs, net->nsegs));
    PetscCall(PetscFree(net->segs));
    net->segs    = ns;
    net->capsegs = cap;
  }
  sg = &net->segs[net->nsegs];
  memset(sg, 0, sizeof(*sg));
  if (name) snprintf(sg->name, sizeof(sg->name), "%s", name);
  else snprintf(sg->name, sizeof(sg->name), "seg_%" PetscInt_FMT, net->nsegs);
  sg->node[0] = n0;
  sg->node[1] = n1;
  sg->npts    = npts;
  PetscCall(PetscMalloc1(3 * npts, &sg->x));
  PetscCall(PetscMalloc1(npts, &sg->r));
  PetscCall(PetscMalloc1(npts, &sg->s));
  PetscCall(PetscArraycpy(sg->x, x, 3 * npts));
  PetscCall(PetscArraycpy(sg->r, r, npts));
  ComputeArc(sg);
  if (id) *id = net->nsegs;
  net->nsegs++;
  PetscFunctionReturn(0);
}

PetscReal HtNetSegment_Length(const HtNetSegment *seg) { return seg->npts > 0 ? seg->s[seg->npts - 1] : 0.0; }

/* Interval k with s[k] <= s < s[k+1] (clamped), by bisection. */
static PetscInt FindInterval(const HtNetSegment *sg, PetscReal s)
{
  PetscInt lo = 0, hi = sg->npts - 1;
  if (s <= sg->s[0]) return 0;
  if (s >= sg->s[hi]) return hi - 1;
  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (sg->s[mid] <= s) lo = mid;
    else hi = mid;
  }
  return lo;
}

PetscReal HtNetSegment_RadiusAt(const HtNetSegment *seg, PetscReal s_mm)
{
  PetscInt  k;
  PetscReal ds, t;
  if (seg->npts < 1) return 0.0;
  if (seg->npts == 1 || s_mm <= 0) return seg->r[0];
  if (s_mm >= seg->s[seg->npts - 1]) return seg->r[seg->npts - 1];
  k  = FindInterval(seg, s_mm);
  ds = seg->s[k + 1] - seg->s[k];
  t  = ds > 0 ? (s_mm - seg->s[k]) / ds : 0.0;
  return (1 - t) * seg->r[k] + t * seg->r[k + 1];
}

void HtNetSegment_PointAt(const HtNetSegment *seg, PetscReal s_mm, PetscReal x[3])
{
  PetscInt  k;
  PetscReal ds, t;
  if (seg->npts == 1 || s_mm <= 0) {
    for (int c = 0; c < 3; c++) x[c] = seg->x[c];
    return;
  }
  if (s_mm >= seg->s[seg->npts - 1]) {
    for (int c = 0; c < 3; c++) x[c] = seg->x[3 * (seg->npts - 1) + c];
    return;
  }
  k  = FindInterval(seg, s_mm);
  ds = seg->s[k + 1] - seg->s[k];
  t  = ds > 0 ? (s_mm - seg->s[k]) / ds : 0.0;
  for (int c = 0; c < 3; c++) x[c] = (1 - t) * seg->x[3 * k + c] + t * seg->x[3 * (k + 1) + c];
}

PetscErrorCode HtNetwork_SplitSegment(HtNetwork *net, PetscInt seg, PetscReal s_mm, PetscInt *node, PetscInt *newseg)
{
  HtNetSegment *sg;
  PetscReal     L, p[3], rp, *xd, *rd, tol;
  PetscInt      k, nprox, ndist, nid, sid, oldn1, kind;
  char          nname[32], sname[32];
  PetscFunctionBeginUser;
  PetscCheck(seg >= 0 && seg < net->nsegs, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: cannot split segment %" PetscInt_FMT ": the network has %" PetscInt_FMT " segments", seg, net->nsegs);
  sg = &net->segs[seg];
  L  = HtNetSegment_Length(sg);
  PetscCheck(s_mm > 0 && s_mm < L, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: cannot split segment %s at s = %g mm: must be strictly inside (0, %g)", sg->name, (double)s_mm, (double)L);
  tol = 1e-9 * (1 + L);
  k   = FindInterval(sg, s_mm);
  HtNetSegment_PointAt(sg, s_mm, p);
  rp = HtNetSegment_RadiusAt(sg, s_mm);
  /* the split point replaces a sample that coincides with it, so no zero-length chords appear */
  PetscBool at_k = (PetscBool)(PetscAbsReal(s_mm - sg->s[k]) <= tol && k > 0);
  PetscBool at_k1 = (PetscBool)(PetscAbsReal(sg->s[k + 1] - s_mm) <= tol && k + 1 < sg->npts - 1);
  /* proximal: samples 0..k (or 0..k-1 if sample k is the split point), then p */
  nprox = (at_k ? k : k + 1) + 1;
  /* distal: p, then samples k+1.. (or k+2.. if sample k+1 is the split point) */
  ndist = 1 + (sg->npts - (at_k1 ? k + 2 : k + 1));
  PetscCall(PetscMalloc1(3 * ndist, &xd));
  PetscCall(PetscMalloc1(ndist, &rd));
  for (int c = 0; c < 3; c++) xd[c] = p[c];
  rd[0] = rp;
  for (PetscInt i = 1, j = (at_k1 ? k + 2 : k + 1); j < sg->npts; i++, j++) {
    for (int c = 0; c < 3; c++) xd[3 * i + c] = sg->x[3 * j + c];
    rd[i] = sg->r[j];
  }
  /* shrink the proximal part in place */
  for (int c = 0; c < 3; c++) sg->x[3 * (nprox - 1) + c] = p[c];
  sg->r[nprox - 1] = rp;
  sg->npts         = nprox;
  ComputeArc(sg);
  oldn1 = sg->node[1];
  kind  = sg->kind;
  snprintf(nname, sizeof(nname), "split_%" PetscInt_FMT, net->nnodes);
  PetscCall(HtNetwork_AddNode(net, p, HT_NODE_INTERNAL, nname, &nid));
  sg          = &net->segs[seg];
  sg->node[1] = nid;
  snprintf(sname, sizeof(sname), "seg_%" PetscInt_FMT, net->nsegs);
  PetscCall(HtNetwork_AddSegment(net, nid, oldn1, ndist, xd, rd, sname, &sid));
  net->segs[sid].kind = kind;
  PetscCall(PetscFree(xd));
  PetscCall(PetscFree(rd));
  if (node) *node = nid;
  if (newseg) *newseg = sid;
  PetscFunctionReturn(0);
}

PetscInt HtNetwork_NodeDegree(const HtNetwork *net, PetscInt node, PetscInt *ids, PetscInt maxids)
{
  PetscInt d = 0;
  for (PetscInt i = 0; i < net->nsegs; i++) {
    if (net->segs[i].node[0] == node || net->segs[i].node[1] == node) {
      if (ids && d < maxids) ids[d] = i;
      d++;
    }
  }
  return d;
}

PetscReal HtNetwork_TotalLength(const HtNetwork *net)
{
  PetscReal L = 0;
  for (PetscInt i = 0; i < net->nsegs; i++) L += HtNetSegment_Length(&net->segs[i]);
  return L;
}

PetscInt HtNetwork_FindNode(const HtNetwork *net, const char *name)
{
  for (PetscInt i = 0; i < net->nnodes; i++)
    if (!strcmp(net->nodes[i].name, name)) return i;
  return -1;
}

PetscErrorCode HtNetwork_MinRadius(const HtNetwork *net, PetscReal skip_end_mm, PetscInt *seg, PetscReal *s_mm, PetscReal *r_mm)
{
  PetscFunctionBeginUser;
  *seg  = -1;
  *s_mm = 0;
  *r_mm = PETSC_MAX_REAL;
  for (PetscInt i = 0; i < net->nsegs; i++) {
    const HtNetSegment *sg = &net->segs[i];
    PetscReal           L  = HtNetSegment_Length(sg);
    if (sg->kind != 0) continue;
    for (PetscInt j = 0; j < sg->npts; j++) {
      if (sg->s[j] < skip_end_mm || sg->s[j] > L - skip_end_mm) continue;
      if (sg->r[j] < *r_mm) {
        *r_mm = sg->r[j];
        *s_mm = sg->s[j];
        *seg  = i;
      }
    }
  }
  if (*seg < 0) *r_mm = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode HtNetwork_Check(const HtNetwork *net)
{
  PetscInt  inlet = -1, ninlet = 0, *queue, *seen, head = 0, tail = 0;
  PetscFunctionBeginUser;
  PetscCheck(net->nnodes > 0 && net->nsegs > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: empty (%" PetscInt_FMT " nodes, %" PetscInt_FMT " segments)", net->nnodes, net->nsegs);
  for (PetscInt i = 0; i < net->nnodes; i++)
    if (net->nodes[i].kind == HT_NODE_INLET) {
      ninlet++;
      inlet = i;
    }
  PetscCheck(ninlet == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: %" PetscInt_FMT " inlet nodes, expected exactly 1", ninlet);
  for (PetscInt i = 0; i < net->nsegs; i++) {
    const HtNetSegment *sg = &net->segs[i];
    PetscCheck(sg->node[0] >= 0 && sg->node[0] < net->nnodes && sg->node[1] >= 0 && sg->node[1] < net->nnodes && sg->node[0] != sg->node[1], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s (id %" PetscInt_FMT ") has invalid nodes %" PetscInt_FMT " -> %" PetscInt_FMT, sg->name, i, sg->node[0], sg->node[1]);
    PetscCheck(sg->npts >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s (id %" PetscInt_FMT ") has %" PetscInt_FMT " samples, needs >= 2", sg->name, i, sg->npts);
    for (PetscInt j = 0; j < sg->npts; j++)
      PetscCheck(sg->r[j] > 0 && isfinite(sg->r[j]), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s (id %" PetscInt_FMT ") radius %g mm at sample %" PetscInt_FMT " is not positive", sg->name, i, (double)sg->r[j], j);
    for (int e = 0; e < 2; e++) {
      const PetscReal *p = &sg->x[e ? 3 * (sg->npts - 1) : 0], *q = net->nodes[sg->node[e]].x;
      PetscReal        d = PetscSqrtReal(PetscSqr(p[0] - q[0]) + PetscSqr(p[1] - q[1]) + PetscSqr(p[2] - q[2]));
      PetscCheck(d <= 1e-3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s (id %" PetscInt_FMT ") %s sample is %g mm away from its node %s", sg->name, i, e ? "last" : "first", (double)d, net->nodes[sg->node[e]].name);
    }
    PetscCheck(sg->node[1] != inlet, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: segment %s (id %" PetscInt_FMT ") flows into the inlet node", sg->name, i);
  }
  for (PetscInt i = 0; i < net->nnodes; i++) {
    PetscInt d = HtNetwork_NodeDegree(net, i, NULL, 0);
    if (net->nodes[i].kind == HT_NODE_OUTLET) {
      PetscInt id = -1;
      PetscCheck(d == 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: outlet node %s (id %" PetscInt_FMT ") has %" PetscInt_FMT " segments, expected 1", net->nodes[i].name, i, d);
      (void)HtNetwork_NodeDegree(net, i, &id, 1);
      PetscCheck(net->segs[id].node[1] == i, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: outlet node %s (id %" PetscInt_FMT ") is the upstream end of segment %s", net->nodes[i].name, i, net->segs[id].name);
    }
    if (net->nodes[i].kind == HT_NODE_INLET) PetscCheck(d >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: inlet node %s (id %" PetscInt_FMT ") has no segment", net->nodes[i].name, i);
  }
  /* downstream reachability from the inlet */
  PetscCall(PetscMalloc1(net->nnodes, &queue));
  PetscCall(PetscCalloc1(net->nnodes, &seen));
  queue[tail++] = inlet;
  seen[inlet]   = 1;
  while (head < tail) {
    PetscInt n = queue[head++];
    for (PetscInt i = 0; i < net->nsegs; i++)
      if (net->segs[i].node[0] == n && !seen[net->segs[i].node[1]]) {
        seen[net->segs[i].node[1]] = 1;
        queue[tail++]              = net->segs[i].node[1];
      }
  }
  for (PetscInt i = 0; i < net->nnodes; i++) {
    if (!seen[i]) {
      char nm[32];
      snprintf(nm, sizeof(nm), "%s", net->nodes[i].name);
      PetscCall(PetscFree(queue));
      PetscCall(PetscFree(seen));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "network: node %s (id %" PetscInt_FMT ") is not reachable downstream from the inlet", nm, i);
    }
  }
  PetscCall(PetscFree(queue));
  PetscCall(PetscFree(seen));
  PetscFunctionReturn(0);
}
