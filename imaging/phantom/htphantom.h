/* The synthetic CT phantom: an adult thoracic aorta with a coarctation, head-neck branches and a
 * left-ventricle blood pool, with exactly known geometry, rendered to HU and written as a DICOM CT
 * series. Pipeline tests measure segmentation, centerlines and radii against this geometry.
 *
 * Geometry (LPS mm: x = patient Left, y = Posterior, z = Superior):
 *   tube     = a centerline made of straight lines and circular arcs (G1-continuous) with a radius
 *              profile r(s) (piecewise-linear taper, times an optional cosine narrowing).
 *              A point is inside when its distance to the closest axis point is < r(s) at that point,
 *              so every cross-section perpendicular to the axis is a disk of radius exactly r(s)
 *              (this is why we do not use a plain sweep of spheres: with a steep coarctation profile
 *              the sphere envelope would not have the stated minimum radius).
 *   LV       = ellipsoid (centre, orthonormal axes, semi-axes) holding the LV blood pool, joined to the
 *              aortic root (the aorta tube starts inside it), surrounded by a myocardium shell.
 *   labels   = 0 outside, 1 aorta + branches, 2 LV blood pool (the LV wins where they overlap,
 *              so the label-2 volume is exactly 4/3 pi a b c).
 * Background: soft tissue, lungs laterally (kept away from the blood pool), a vertebral column
 * (cortical shell + cancellous core, discs) posterior to the descending aorta, ~10 mm from its wall. */
#pragma once
#include <htvolume.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HT_PHANTOM_MAX_PIECES 8
#define HT_PHANTOM_MAX_KNOTS  8
#define HT_PHANTOM_MAX_TUBES  8

typedef enum { HT_PHANTOM_LINE = 0, HT_PHANTOM_ARC = 1 } HtPhantomPieceType;

/* One piece of a centerline.
 *   LINE: from a to b.
 *   ARC : c + R (cos t e1 + sin t e2), t from t0 to t1 (t1 > t0; e1, e2 orthonormal). */
typedef struct {
  HtPhantomPieceType type;
  PetscReal          a[3], b[3];
  PetscReal          c[3], e1[3], e2[3], R, t0, t1;
  PetscReal          s0, len; /* arc length at the piece start along the tube, piece length (mm) */
} HtPhantomPiece;

typedef struct {
  char           name[32];  /* "aorta", "brachiocephalic", "left_common_carotid", "left_subclavian" */
  PetscInt       npieces;
  HtPhantomPiece piece[HT_PHANTOM_MAX_PIECES];
  PetscReal      length_mm; /* total axis length */
  /* base radius: piecewise linear through (knot_s_mm, knot_r_mm), constant beyond the end knots */
  PetscInt       nknots;
  PetscReal      knot_s_mm[HT_PHANTOM_MAX_KNOTS], knot_r_mm[HT_PHANTOM_MAX_KNOTS];
  /* optional narrowing (sten_len_mm > 0): r = r_base (1 - sten_frac (1 + cos(2 pi (s - sten_s)/sten_len)) / 2)
   * for |s - sten_s| < sten_len/2; minimum r_base(sten_s) (1 - sten_frac) at s = sten_s */
  PetscReal      sten_s_mm, sten_len_mm, sten_frac;
  PetscInt       parent;      /* index of the tube it branches from, -1 for the aorta */
  PetscReal      parent_s_mm; /* arc length on the parent where the axis starts */
  /* filled by HtPhantom_SetUp: axis bounding box grown by the largest radius, largest radius */
  PetscReal      bbox_lo_mm[3], bbox_hi_mm[3], r_max_mm;
} HtPhantomTube;

typedef struct {
  PetscInt      ntubes;
  HtPhantomTube tube[HT_PHANTOM_MAX_TUBES];
  PetscBool     has_lv;
  PetscReal     lv_c[3];      /* LV ellipsoid centre, LPS mm */
  PetscReal     lv_axis[9];   /* lv_axis[3a..3a+2]: unit axis a (a = 0 long axis) */
  PetscReal     lv_semi_mm[3];
  PetscReal     myo_mm;       /* myocardium shell thickness (added to each semi-axis) */
  /* vertebral column: vertical elliptic cylinder, bodies separated by discs */
  PetscBool     has_spine;
  PetscReal     vb_c[2];      /* x, y of the column axis (mm) */
  PetscReal     vb_semi_mm[2];/* semi-axes along x, y */
  PetscReal     vb_cortex_mm; /* cortical shell thickness */
  PetscReal     vb_body_mm, vb_disc_mm, vb_z0_mm; /* body height, disc height, z of a disc centre */
  /* lungs: |x - lung_x_mid| > lung_halfgap_mm, and at least lung_margin_mm from blood/myocardium/bone */
  PetscBool     has_lungs;
  PetscReal     lung_x_mid_mm, lung_halfgap_mm, lung_margin_mm;
  /* HU of the tissues and the scanner model */
  PetscReal     hu_blood, hu_myo, hu_soft, hu_lung, hu_cortical, hu_cancellous, hu_disc;
  PetscInt      supersample;   /* samples per voxel along each axis for partial volume */
  PetscReal     blur_sigma_mm; /* Gaussian PSF */
  PetscReal     noise_sd_HU;   /* Gaussian noise */
  /* preferred grid (HtPhantom_DefaultGrid) */
  PetscReal     grid_lo_mm[3], grid_hi_mm[3], grid_spacing_mm[3];
} HtPhantom;

/* The default aorta-coarctation phantom (no allocation; Destroy is still called for symmetry). */
PetscErrorCode HtPhantom_Default(HtPhantom *ph);
PetscErrorCode HtPhantom_Destroy(HtPhantom *ph);
/* Options (PETSc options database), for robustness studies; each keeps its default when absent:
 *   -phantom_spacing <mm>      isotropic grid spacing of HtPhantom_DefaultGrid (0.6 .. 3)
 *   -phantom_noise_sd <HU>     noise sd (>= 0)
 *   -phantom_blur_sigma <mm>   PSF sigma (>= 0)
 *   -phantom_supersample <n>   partial-volume samples per axis (1 .. 8)
 *   -phantom_coarct_frac <f>   coarctation narrowing fraction (0 .. 0.9), 0.53 = 47 % minimum radius
 * HtPhantom_WriteDefault applies them. */
PetscErrorCode HtPhantom_SetFromOptions(HtPhantom *ph);
/* Validate and derive s0/len of each piece, length_mm, bounding boxes and r_max_mm; call it after
 * building or editing a phantom by hand (Default and SetFromOptions call it). */
PetscErrorCode HtPhantom_SetUp(HtPhantom *ph);

/* Exact blood-pool label at a point: 0 outside, 1 aorta + branches, 2 LV blood pool. */
PetscErrorCode HtPhantom_Inside(const HtPhantom *ph, const PetscReal x_mm[3], int *label);
/* Closest axis point over all tubes: tube index (-1 if no tubes), distance to the axis, arc length
 * and true radius there, and the axis point itself (any output may be NULL). */
PetscErrorCode HtPhantom_NearestAxis(const HtPhantom *ph, const PetscReal x_mm[3], PetscInt *tube, PetscReal *dist_mm, PetscReal *s_mm, PetscReal *r_mm, PetscReal axis_mm[3]);
/* Axis point, unit tangent and true radius of tube t at arc length s (clamped to [0, length]). */
PetscErrorCode HtPhantom_TubeEval(const HtPhantom *ph, PetscInt t, PetscReal s_mm, PetscReal x_mm[3], PetscReal tangent[3], PetscReal *r_mm);

/* Axial grid covering the phantom (1.25 mm: 3.2 M voxels), dir = identity. */
PetscErrorCode HtPhantom_DefaultGrid(const HtPhantom *ph, HtGrid *g);
/* CT in HU: supersampled tissue classes (partial volume), Gaussian blur, Gaussian noise from a fixed
 * seed (own RNG, reproducible across platforms). Allocates ct (HtVolume_Free it). */
PetscErrorCode HtPhantom_Render(const HtPhantom *ph, const HtGrid *g, unsigned seed, HtVolume *ct);
/* Truth labels at voxel centres (0/1/2 as HtPhantom_Inside, names "aorta", "lv_blood"). Allocates lab. */
PetscErrorCode HtPhantom_TrueLabels(const HtPhantom *ph, const HtGrid *g, HtLabels *lab);

/* The coarctation: axis point of minimum radius, that radius and the local reference radius
 * (the un-narrowed radius at the same place). Error if the phantom has no narrowing. */
PetscErrorCode HtPhantom_Coarctation(const HtPhantom *ph, PetscReal x_mm[3], PetscReal *r_min_mm, PetscReal *r_ref_mm);

/* The aortic root: where the aorta's axis leaves the LV ellipsoid (the blood pool's aortic valve
 * plane), its arc length on tube 0 and the true radius there. Error without an LV. */
PetscErrorCode HtPhantom_AorticRoot(const HtPhantom *ph, PetscReal x_mm[3], PetscReal *s_mm, PetscReal *r_mm);

/* The true axis curves sampled every ~ds_mm (exact points on the analytic curves), with radius and
 * arc length. When g is not NULL only the part whose axis lies inside the grid box is kept (branches
 * leave through the top of the field of view); s is still measured from the tube start. */
typedef struct {
  char       name[32];
  PetscInt   tube;        /* index in ph->tube */
  PetscInt   parent;      /* parent tube, -1 for the aorta */
  PetscReal  parent_s_mm;
  PetscInt   npts;
  PetscReal *x; /* 3*npts LPS mm */
  PetscReal *r; /* npts mm */
  PetscReal *s; /* npts mm */
} HtPhantomCurve;
PetscErrorCode HtPhantom_Centerlines(const HtPhantom *ph, const HtGrid *g, PetscReal ds_mm, PetscInt *ncurves, HtPhantomCurve **curves);
PetscErrorCode HtPhantom_CurvesDestroy(PetscInt ncurves, HtPhantomCurve **curves);

/* Made-up but realistic identifying values, so that de-identification can be tested. */
typedef struct {
  char     patient_name[64], patient_id[64], birth_date[16], sex[8];
  char     study_date[16], study_time[16], accession[32], institution[64], referring[64];
  char     study_desc[64], series_desc[64];
  PetscInt series_number;
} HtPhantomDicomInfo;
PetscErrorCode HtPhantom_DicomInfoDefault(HtPhantomDicomInfo *info); /* "DOE^JANE", ... */

/* One CT Image Storage file per slice, explicit VR little endian, int16 with RescaleIntercept -1024,
 * slope 1, fresh UIDs. File names are not in slice order (readers must sort by position).
 * Creates dir; info NULL = HtPhantom_DicomInfoDefault. The grid must be axial-compatible
 * (any orthonormal dir; the slice normal is dir[6..8]). */
PetscErrorCode HtPhantom_WriteDicom(const HtVolume *ct, const char *dir, const HtPhantomDicomInfo *info);
/* Default phantom, default grid, render with seed, write to dir: what `hemotwin phantom --out DIR` calls. */
PetscErrorCode HtPhantom_WriteDefault(const char *dir, unsigned seed);

#ifdef __cplusplus
}
#endif
