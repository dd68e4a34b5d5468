/* The vessel network: centerline segments with a radius profile, joined at nodes.
 * Produced by meshing (from a label map), consumed by the pipeline, which turns it into a lumped
 * model, and by the planning code, which edits it (stent, graft, ...).
 *
 * Orientation: segments run downstream, from node[0] (proximal) to node[1] (distal); the network has
 * one inlet node (kind HT_NODE_INLET); outlets are nodes of kind HT_NODE_OUTLET with one segment.
 * Coordinates LPS mm, radii mm, arc length mm. */
#pragma once
#include <htcore.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { HT_NODE_INTERNAL = 0, HT_NODE_INLET = 1, HT_NODE_OUTLET = 2, HT_NODE_JUNCTION = 3 } HtNodeKind;

typedef struct {
  PetscReal  x[3];     /* LPS mm */
  HtNodeKind kind;
  char       name[32]; /* "inlet", "outlet_1", "junction_3", ... */
} HtNetNode;

typedef struct {
  char       name[32]; /* "seg_0", ... or a structure name */
  PetscInt   node[2];  /* proximal, distal node index */
  PetscInt   npts;     /* samples along the centerline, >= 2; first = node[0], last = node[1] */
  PetscReal *x;        /* 3*npts, LPS mm */
  PetscReal *r;        /* npts, lumen radius mm */
  PetscReal *s;        /* npts, arc length from the proximal end, mm */
  PetscInt   kind;     /* 0 native vessel, 1 graft (added by planning) */
} HtNetSegment;

typedef struct {
  PetscInt      nnodes, nsegs;
  PetscInt      capnodes, capsegs; /* allocated */
  HtNetNode    *nodes;
  HtNetSegment *segs;
} HtNetwork;

PetscErrorCode HtNetwork_Init(HtNetwork *net);    /* empty network */
PetscErrorCode HtNetwork_Destroy(HtNetwork *net); /* frees everything; safe on an Init-ed struct */
PetscErrorCode HtNetwork_Clone(const HtNetwork *src, HtNetwork *dst);
PetscErrorCode HtNetwork_AddNode(HtNetwork *net, const PetscReal x[3], HtNodeKind kind, const char *name, PetscInt *id);
/* Copies x (3*npts) and r (npts); arc length is computed. */
PetscErrorCode HtNetwork_AddSegment(HtNetwork *net, PetscInt n0, PetscInt n1, PetscInt npts, const PetscReal *x, const PetscReal *r, const char *name, PetscInt *id);
/* Split segment seg at arc length s_mm (strictly inside): seg keeps the proximal part, a new segment
 * the distal part, joined by a new node (returned in *node). */
PetscErrorCode HtNetwork_SplitSegment(HtNetwork *net, PetscInt seg, PetscReal s_mm, PetscInt *node, PetscInt *newseg);
/* Segment length (mm) and radius interpolated at arc length s (mm). */
PetscReal      HtNetSegment_Length(const HtNetSegment *seg);
PetscReal      HtNetSegment_RadiusAt(const HtNetSegment *seg, PetscReal s_mm);
/* Checks: one inlet, every segment's nodes valid, every outlet has degree 1, all nodes reachable from
 * the inlet, radii > 0. Error message names the offending segment/node. */
PetscErrorCode HtNetwork_Check(const HtNetwork *net);
/* Number of segments touching node, and their ids (ids may be NULL). */
PetscInt       HtNetwork_NodeDegree(const HtNetwork *net, PetscInt node, PetscInt *ids, PetscInt maxids);
/* Extensions (net engineer). Sum of all segment lengths (mm). */
PetscReal      HtNetwork_TotalLength(const HtNetwork *net);
/* Smallest lumen radius over all native segments (kind 0): segment id, arc length and radius there.
 * Samples within skip_end_mm of a segment's ends are ignored (radii at junctions/open ends are
 * unreliable); pass 0 to consider all. *seg = -1 when no sample qualifies. */
PetscErrorCode HtNetwork_MinRadius(const HtNetwork *net, PetscReal skip_end_mm, PetscInt *seg, PetscReal *s_mm, PetscReal *r_mm);
/* Point on segment seg at arc length s (mm), linear between samples, clamped to [0, length]. */
void           HtNetSegment_PointAt(const HtNetSegment *seg, PetscReal s_mm, PetscReal x[3]);
/* Index of the node with this name, -1 if none. */
PetscInt       HtNetwork_FindNode(const HtNetwork *net, const char *name);

#ifdef __cplusplus
}
#endif
