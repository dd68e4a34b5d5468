/* The image types every stage shares: a voxel grid in patient coordinates (LPS, millimetres),
 * an intensity volume (HU for CT) and a label map on such a grid.
 *
 * Index convention: voxel (i, j, k) with i = DICOM column (fastest), j = DICOM row, k = slice in
 * ascending order along the slice normal; linear index i + n[0]*(j + n[1]*k).
 * World (LPS mm) of voxel centre: x = origin + sum_a (idx_a * spacing[a]) * dir[3a..3a+2],
 * i.e. dir[3*a + c] is LPS component c of the unit vector of index axis a (a = 0 column, 1 row,
 * 2 slice). For a standard axial DICOM series dir = identity. */
#pragma once
#include <htcore.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  PetscInt  n[3];       /* voxels along i, j, k                                  */
  PetscReal origin[3];  /* LPS mm of the centre of voxel (0,0,0)                 */
  PetscReal spacing[3]; /* mm between voxel centres along i, j, k                */
  PetscReal dir[9];     /* dir[3*a+c]: LPS component c of index axis a (unit)    */
} HtGrid;

typedef struct {
  HtGrid g;
  float *val; /* n[0]*n[1]*n[2] values (HU for CT), owned */
} HtVolume;

#define HT_MAX_LABELS 32
typedef struct {
  HtGrid   g;
  uint8_t *lab; /* n[0]*n[1]*n[2] labels, 0 = background, owned */
  PetscInt nnames;
  struct {
    int  value;
    char name[48];
  } names[HT_MAX_LABELS]; /* label value -> structure name ("aorta", "heart", ...) */
} HtLabels;

static inline size_t HtGrid_Count(const HtGrid *g) { return (size_t)g->n[0] * (size_t)g->n[1] * (size_t)g->n[2]; }
static inline size_t HtGrid_Index(const HtGrid *g, PetscInt i, PetscInt j, PetscInt k) { return (size_t)i + (size_t)g->n[0] * ((size_t)j + (size_t)g->n[1] * (size_t)k); }
static inline PetscReal HtGrid_VoxelVolume_mm3(const HtGrid *g) { return g->spacing[0] * g->spacing[1] * g->spacing[2]; }

/* Set an axis-aligned grid (dir = identity). */
void           HtGrid_SetAxisAligned(HtGrid *g, const PetscInt n[3], const PetscReal origin[3], const PetscReal spacing[3]);
/* Continuous index (i, j, k) -> LPS mm, and back (inverse of the orthonormal direction). */
void           HtGrid_IndexToWorld(const HtGrid *g, const PetscReal ijk[3], PetscReal x[3]);
void           HtGrid_WorldToIndex(const HtGrid *g, const PetscReal x[3], PetscReal ijk[3]);
/* Same grid (dimensions, origin, spacing, direction) within tol_mm. */
PetscBool      HtGrid_Same(const HtGrid *a, const HtGrid *b, PetscReal tol_mm);

PetscErrorCode HtVolume_Alloc(HtVolume *v, const HtGrid *g);   /* zero-filled */
PetscErrorCode HtVolume_Free(HtVolume *v);                     /* safe on a zeroed struct */
PetscErrorCode HtVolume_Copy(const HtVolume *src, HtVolume *dst);
PetscErrorCode HtLabels_Alloc(HtLabels *l, const HtGrid *g);   /* zero-filled, no names */
PetscErrorCode HtLabels_Free(HtLabels *l);
PetscErrorCode HtLabels_SetName(HtLabels *l, int value, const char *name);
const char    *HtLabels_GetName(const HtLabels *l, int value); /* NULL when unnamed */
/* Volume in mL of voxels with label == value (value < 0: all non-zero). */
PetscReal      HtLabels_Volume_mL(const HtLabels *l, int value);

#ifdef __cplusplus
}
#endif
