/* Analytic geometry of the aorta-coarctation phantom, truth labels, centerlines and CT rendering. */
#include "htphantom.h"
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <dirent.h>

/* tissue classes used by the renderer (label values of HtPhantom_Inside are separate) */
enum { C_SOFT = 0, C_AORTA, C_LV, C_MYO, C_CORTICAL, C_CANCELLOUS, C_DISC, C_LUNG, C_COUNT };

static inline PetscReal Dot3(const PetscReal a[3], const PetscReal b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static inline PetscReal Norm3(const PetscReal a[3]) { return PetscSqrtReal(Dot3(a, a)); }
static inline void      Cross3(const PetscReal a[3], const PetscReal b[3], PetscReal c[3])
{
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}
static inline void Normalize3(PetscReal a[3])
{
  PetscReal n = Norm3(a);
  if (n > 0) a[0] /= n, a[1] /= n, a[2] /= n;
}
static inline PetscReal Dist2(const PetscReal a[3], const PetscReal b[3])
{
  PetscReal d[3] = {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
  return Dot3(d, d);
}

/* ---- tubes ------------------------------------------------------------------------------- */
static PetscReal TubeBaseRadius(const HtPhantomTube *t, PetscReal s)
{
  if (s <= t->knot_s_mm[0]) return t->knot_r_mm[0];
  for (PetscInt i = 0; i + 1 < t->nknots; i++)
    if (s <= t->knot_s_mm[i + 1]) {
      PetscReal w = (s - t->knot_s_mm[i]) / (t->knot_s_mm[i + 1] - t->knot_s_mm[i]);
      return (1 - w) * t->knot_r_mm[i] + w * t->knot_r_mm[i + 1];
    }
  return t->knot_r_mm[t->nknots - 1];
}

static PetscReal TubeRadius(const HtPhantomTube *t, PetscReal s)
{
  PetscReal r = TubeBaseRadius(t, s);
  if (t->sten_len_mm > 0 && PetscAbsReal(s - t->sten_s_mm) < 0.5 * t->sten_len_mm)
    r *= 1 - t->sten_frac * 0.5 * (1 + PetscCosReal(2 * PETSC_PI * (s - t->sten_s_mm) / t->sten_len_mm));
  return r;
}

static void PieceEval(const HtPhantomPiece *p, PetscReal u, PetscReal x[3], PetscReal tan[3])
{
  if (p->type == HT_PHANTOM_LINE) {
    PetscReal w = p->len > 0 ? u / p->len : 0;
    for (int c = 0; c < 3; c++) {
      x[c]   = p->a[c] + w * (p->b[c] - p->a[c]);
      tan[c] = p->len > 0 ? (p->b[c] - p->a[c]) / p->len : 0;
    }
  } else {
    PetscReal th = p->t0 + u / p->R, ct = PetscCosReal(th), st = PetscSinReal(th);
    for (int c = 0; c < 3; c++) {
      x[c]   = p->c[c] + p->R * (ct * p->e1[c] + st * p->e2[c]);
      tan[c] = -st * p->e1[c] + ct * p->e2[c];
    }
  }
}

/* squared distance from x to the piece and the local arc length of the closest point */
static void PieceClosest(const HtPhantomPiece *p, const PetscReal x[3], PetscReal *d2, PetscReal *u)
{
  if (p->type == HT_PHANTOM_LINE) {
    PetscReal ab[3] = {p->b[0] - p->a[0], p->b[1] - p->a[1], p->b[2] - p->a[2]}, ax[3] = {x[0] - p->a[0], x[1] - p->a[1], x[2] - p->a[2]};
    PetscReal l2 = Dot3(ab, ab), w = l2 > 0 ? Dot3(ax, ab) / l2 : 0, q[3];
    w = PetscMax(0.0, PetscMin(1.0, w));
    for (int c = 0; c < 3; c++) q[c] = p->a[c] + w * ab[c];
    *d2 = Dist2(x, q);
    *u  = w * p->len;
  } else {
    /* distance to a circle point at angle phi decreases with |phi - theta| (theta: angle of the
     * in-plane projection), so the closest arc point is at theta when inside [t0, t1], else an end */
    PetscReal v[3] = {x[0] - p->c[0], x[1] - p->c[1], x[2] - p->c[2]};
    PetscReal a1 = Dot3(v, p->e1), a2 = Dot3(v, p->e2), th, q[3], tq[3], best = PETSC_MAX_REAL, bu = 0;
    th = atan2(a2, a1);
    th = p->t0 + fmod(fmod(th - p->t0, 2 * PETSC_PI) + 2 * PETSC_PI, 2 * PETSC_PI);
    if (th <= p->t1 && (a1 != 0 || a2 != 0)) {
      PieceEval(p, (th - p->t0) * p->R, q, tq);
      *d2 = Dist2(x, q);
      *u  = (th - p->t0) * p->R;
      return;
    }
    PieceEval(p, 0, q, tq);
    best = Dist2(x, q);
    PieceEval(p, p->len, q, tq);
    if (Dist2(x, q) < best) best = Dist2(x, q), bu = p->len;
    *d2 = best;
    *u  = bu;
  }
}

static void TubeClosest(const HtPhantomTube *t, const PetscReal x[3], PetscReal *d, PetscReal *s)
{
  PetscReal best = PETSC_MAX_REAL, bs = 0;
  for (PetscInt i = 0; i < t->npieces; i++) {
    PetscReal d2, u;
    PieceClosest(&t->piece[i], x, &d2, &u);
    if (d2 < best) best = d2, bs = t->piece[i].s0 + u;
  }
  *d = PetscSqrtReal(best);
  *s = bs;
}

static inline PetscBool InBox(const PetscReal lo[3], const PetscReal hi[3], const PetscReal x[3], PetscReal grow)
{
  for (int c = 0; c < 3; c++)
    if (x[c] < lo[c] - grow || x[c] > hi[c] + grow) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* signed "distance" d - r(s) to tube t; PETSC_MAX_REAL when farther than grow outside the bbox */
static PetscReal TubeSigned(const HtPhantomTube *t, const PetscReal x[3], PetscReal grow)
{
  PetscReal d, s;
  if (!InBox(t->bbox_lo_mm, t->bbox_hi_mm, x, grow)) return PETSC_MAX_REAL;
  TubeClosest(t, x, &d, &s);
  return d - TubeRadius(t, s);
}

/* sum of squared scaled coordinates in the LV frame, semi-axes grown by g */
static PetscReal LvQ(const HtPhantom *ph, const PetscReal x[3], PetscReal g)
{
  PetscReal v[3] = {x[0] - ph->lv_c[0], x[1] - ph->lv_c[1], x[2] - ph->lv_c[2]}, q = 0;
  for (int a = 0; a < 3; a++) {
    PetscReal w = Dot3(v, &ph->lv_axis[3 * a]) / (ph->lv_semi_mm[a] + g);
    q += w * w;
  }
  return q;
}

static PetscReal SpineQ(const HtPhantom *ph, const PetscReal x[3], PetscReal g)
{
  PetscReal dx = (x[0] - ph->vb_c[0]) / (ph->vb_semi_mm[0] + g), dy = (x[1] - ph->vb_c[1]) / (ph->vb_semi_mm[1] + g);
  return dx * dx + dy * dy;
}

static int TissueClass(const HtPhantom *ph, const PetscReal x[3])
{
  if (ph->has_lv && LvQ(ph, x, 0) < 1) return C_LV;
  for (PetscInt t = 0; t < ph->ntubes; t++)
    if (TubeSigned(&ph->tube[t], x, 0) < 0) return C_AORTA;
  if (ph->has_lv && LvQ(ph, x, ph->myo_mm) < 1) return C_MYO;
  if (ph->has_spine && SpineQ(ph, x, 0) < 1) {
    PetscReal P = ph->vb_body_mm + ph->vb_disc_mm, h = 0.5 * ph->vb_disc_mm, zz, dz;
    zz = fmod(fmod(x[2] - ph->vb_z0_mm, P) + P, P);
    if (zz < h || zz > P - h) return C_DISC;
    dz = PetscMin(zz - h, P - h - zz);
    if (dz < ph->vb_cortex_mm || SpineQ(ph, x, -ph->vb_cortex_mm) >= 1) return C_CORTICAL;
    return C_CANCELLOUS;
  }
  if (ph->has_lungs && PetscAbsReal(x[0] - ph->lung_x_mid_mm) > ph->lung_halfgap_mm) {
    PetscReal m = ph->lung_margin_mm;
    for (PetscInt t = 0; t < ph->ntubes; t++)
      if (TubeSigned(&ph->tube[t], x, m) < m) return C_SOFT;
    if (ph->has_lv && LvQ(ph, x, ph->myo_mm + m) < 1) return C_SOFT;
    if (ph->has_spine && SpineQ(ph, x, m) < 1) return C_SOFT;
    return C_LUNG;
  }
  return C_SOFT;
}

PetscErrorCode HtPhantom_SetUp(HtPhantom *ph)
{
  PetscFunctionBeginUser;
  PetscCheck(ph->ntubes >= 0 && ph->ntubes <= HT_PHANTOM_MAX_TUBES, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: %" PetscInt_FMT " tubes (max %d)", ph->ntubes, HT_PHANTOM_MAX_TUBES);
  for (PetscInt t = 0; t < ph->ntubes; t++) {
    HtPhantomTube *tb = &ph->tube[t];
    PetscReal      s  = 0;
    PetscCheck(tb->npieces >= 1 && tb->npieces <= HT_PHANTOM_MAX_PIECES, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: %" PetscInt_FMT " pieces (need 1..%d)", tb->name, tb->npieces, HT_PHANTOM_MAX_PIECES);
    PetscCheck(tb->nknots >= 1 && tb->nknots <= HT_PHANTOM_MAX_KNOTS, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: %" PetscInt_FMT " radius knots (need 1..%d)", tb->name, tb->nknots, HT_PHANTOM_MAX_KNOTS);
    tb->r_max_mm = 0;
    for (PetscInt i = 0; i < tb->nknots; i++) {
      PetscCheck(tb->knot_r_mm[i] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: radius knot %" PetscInt_FMT " is %g mm (must be > 0)", tb->name, i, (double)tb->knot_r_mm[i]);
      PetscCheck(i == 0 || tb->knot_s_mm[i] > tb->knot_s_mm[i - 1], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: radius knots not increasing in s", tb->name);
      tb->r_max_mm = PetscMax(tb->r_max_mm, tb->knot_r_mm[i]);
    }
    PetscCheck(tb->sten_len_mm <= 0 || (tb->sten_frac > 0 && tb->sten_frac < 1), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: narrowing fraction %g not in (0,1)", tb->name, (double)tb->sten_frac);
    for (PetscInt i = 0; i < tb->npieces; i++) {
      HtPhantomPiece *p = &tb->piece[i];
      if (p->type == HT_PHANTOM_LINE) {
        PetscReal ab[3] = {p->b[0] - p->a[0], p->b[1] - p->a[1], p->b[2] - p->a[2]};
        p->len          = Norm3(ab);
      } else {
        PetscCheck(p->type == HT_PHANTOM_ARC, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: piece %" PetscInt_FMT " has unknown type", tb->name, i);
        PetscCheck(p->R > 0 && p->t1 > p->t0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: arc piece %" PetscInt_FMT " needs R > 0 and t1 > t0", tb->name, i);
        PetscCheck(PetscAbsReal(Norm3(p->e1) - 1) < 1e-9 && PetscAbsReal(Norm3(p->e2) - 1) < 1e-9 && PetscAbsReal(Dot3(p->e1, p->e2)) < 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: arc piece %" PetscInt_FMT " basis e1, e2 not orthonormal", tb->name, i);
        PetscCheck(tb->r_max_mm < p->R, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: radius %g mm not below the arc's radius of curvature %g mm", tb->name, (double)tb->r_max_mm, (double)p->R);
        p->len = p->R * (p->t1 - p->t0);
      }
      PetscCheck(p->len > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom tube %s: piece %" PetscInt_FMT " has zero length", tb->name, i);
      p->s0 = s;
      s += p->len;
    }
    tb->length_mm = s;
    /* bounding box of the axis (sampled every <= 0.5 mm; chord sagitta is far below the pad) */
    for (int c = 0; c < 3; c++) tb->bbox_lo_mm[c] = PETSC_MAX_REAL, tb->bbox_hi_mm[c] = -PETSC_MAX_REAL;
    for (PetscInt i = 0; i < tb->npieces; i++) {
      const HtPhantomPiece *p = &tb->piece[i];
      PetscInt              m = (PetscInt)PetscCeilReal(p->len / 0.5);
      for (PetscInt k = 0; k <= m; k++) {
        PetscReal x[3], tq[3];
        PieceEval(p, p->len * k / m, x, tq);
        for (int c = 0; c < 3; c++) tb->bbox_lo_mm[c] = PetscMin(tb->bbox_lo_mm[c], x[c]), tb->bbox_hi_mm[c] = PetscMax(tb->bbox_hi_mm[c], x[c]);
      }
    }
    for (int c = 0; c < 3; c++) tb->bbox_lo_mm[c] -= tb->r_max_mm + 0.1, tb->bbox_hi_mm[c] += tb->r_max_mm + 0.1;
  }
  if (ph->has_lv) {
    for (int a = 0; a < 3; a++) PetscCheck(ph->lv_semi_mm[a] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom LV: semi-axis %d is not > 0", a);
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++)
        PetscCheck(PetscAbsReal(Dot3(&ph->lv_axis[3 * a], &ph->lv_axis[3 * b]) - (a == b)) < 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom LV: axes not orthonormal");
  }
  PetscFunctionReturn(0);
}

static void LinePiece(HtPhantomPiece *p, const PetscReal a[3], const PetscReal b[3])
{
  memset(p, 0, sizeof(*p));
  p->type = HT_PHANTOM_LINE;
  for (int c = 0; c < 3; c++) p->a[c] = a[c], p->b[c] = b[c];
}

PetscErrorCode HtPhantom_Default(HtPhantom *ph)
{
  /* arch: half circle in the vertical plane through the ascending (anterior-right) and the
   * descending (posterior-left) aorta, centre at the origin */
  const PetscReal asc_xy[2] = {-15, -28}, R = PetscSqrtReal(15.0 * 15.0 + 28.0 * 28.0);
  const PetscReal z_root_in = -75, z_desc_end = -160, z_branch_end = 92;
  const PetscReal br_t[3]      = {0.30 * PETSC_PI, 0.48 * PETSC_PI, 0.64 * PETSC_PI};
  const PetscReal br_dir[3][3] = {
    {-0.25, -0.08, 1},
    {0.02,  -0.05, 1},
    {0.30,  0.06,  1}
  };
  const PetscReal br_r[3][2]  = {
    {6.0, 5.6},
    {4.0, 3.8},
    {5.0, 4.6}
  };
  const char     *br_name[3] = {"brachiocephalic", "left_common_carotid", "left_subclavian"};
  HtPhantomTube  *ao;
  PetscReal       e1[3] = {asc_xy[0] / R, asc_xy[1] / R, 0}, a[3], b[3], u[3], v[3], w[3], zax[3] = {0, 0, 1};

  PetscFunctionBeginUser;
  memset(ph, 0, sizeof(*ph));
  ph->ntubes = 4;
  ao         = &ph->tube[0];
  PetscCall(PetscStrncpy(ao->name, "aorta", sizeof(ao->name)));
  ao->parent  = -1;
  ao->npieces = 3;
  a[0] = asc_xy[0], a[1] = asc_xy[1], a[2] = z_root_in;
  b[0] = asc_xy[0], b[1] = asc_xy[1], b[2] = 0;
  LinePiece(&ao->piece[0], a, b); /* ascending: starts 15 mm inside the LV, root at z = -60 */
  ao->piece[1].type = HT_PHANTOM_ARC;
  for (int c = 0; c < 3; c++) ao->piece[1].c[c] = 0, ao->piece[1].e1[c] = e1[c], ao->piece[1].e2[c] = zax[c];
  ao->piece[1].R  = R;
  ao->piece[1].t0 = 0;
  ao->piece[1].t1 = PETSC_PI;
  a[0] = -asc_xy[0], a[1] = -asc_xy[1], a[2] = 0;
  b[0] = -asc_xy[0], b[1] = -asc_xy[1], b[2] = z_desc_end;
  LinePiece(&ao->piece[2], a, b); /* descending, leaves through the bottom of the field of view */
  {
    const PetscReal s_arch0 = -z_root_in, s_arch1 = s_arch0 + PETSC_PI * R, s_end = s_arch1 - z_desc_end;
    const PetscReal ks[5] = {0, 15, s_arch0, s_arch1, s_end}, kr[5] = {14.0, 14.0, 13.0, 11.2, 9.5};
    ao->nknots = 5;
    for (int i = 0; i < 5; i++) ao->knot_s_mm[i] = ks[i], ao->knot_r_mm[i] = kr[i];
    /* coarctation at the isthmus, ~33 mm distal to the left subclavian axis */
    ao->sten_s_mm   = s_arch1 - 3;
    ao->sten_len_mm = 18;
    ao->sten_frac   = 0.53;
  }
  for (int k = 0; k < 3; k++) {
    HtPhantomTube *br = &ph->tube[1 + k];
    PetscReal      d[3] = {br_dir[k][0], br_dir[k][1], br_dir[k][2]}, L;
    Normalize3(d);
    PetscCall(PetscStrncpy(br->name, br_name[k], sizeof(br->name)));
    br->parent      = 0;
    br->parent_s_mm = -z_root_in + br_t[k] * R;
    for (int c = 0; c < 3; c++) a[c] = R * PetscCosReal(br_t[k]) * e1[c] + R * PetscSinReal(br_t[k]) * zax[c];
    L = (z_branch_end - a[2]) / d[2];
    for (int c = 0; c < 3; c++) b[c] = a[c] + L * d[c];
    br->npieces = 1;
    LinePiece(&br->piece[0], a, b); /* from the arch axis up through the top of the field of view */
    br->nknots       = 2;
    br->knot_s_mm[0] = 0, br->knot_r_mm[0] = br_r[k][0];
    br->knot_s_mm[1] = L, br->knot_r_mm[1] = br_r[k][1];
  }
  /* LV: 137 mL ellipsoid, long axis anterior-left-inferior, the aortic axis start 35 mm from its centre */
  ph->has_lv = PETSC_TRUE;
  u[0] = 0.55, u[1] = -0.55, u[2] = -0.63;
  Normalize3(u);
  Cross3(zax, u, v);
  Normalize3(v);
  Cross3(u, v, w);
  for (int c = 0; c < 3; c++) {
    ph->lv_c[c]        = ao->piece[0].a[c] + 35 * u[c];
    ph->lv_axis[c]     = u[c];
    ph->lv_axis[3 + c] = v[c];
    ph->lv_axis[6 + c] = w[c];
  }
  ph->lv_semi_mm[0] = 45, ph->lv_semi_mm[1] = 27, ph->lv_semi_mm[2] = 27;
  ph->myo_mm        = 10;
  /* vertebral column posterior (and slightly right) of the descending aorta */
  ph->has_spine     = PETSC_TRUE;
  ph->vb_semi_mm[0] = 20, ph->vb_semi_mm[1] = 16;
  ph->vb_c[0]       = 3;
  ph->vb_c[1]       = 63.8;
  ph->vb_cortex_mm  = 1.5;
  ph->vb_body_mm    = 22, ph->vb_disc_mm = 6, ph->vb_z0_mm = -3;
  /* lungs laterally, kept 6 mm away from blood, myocardium and bone */
  ph->has_lungs       = PETSC_TRUE;
  ph->lung_x_mid_mm   = 10;
  ph->lung_halfgap_mm = 50;
  ph->lung_margin_mm  = 6;
  ph->hu_blood        = 350;
  ph->hu_myo          = 80;
  ph->hu_soft         = 40;
  ph->hu_lung         = -800;
  ph->hu_cortical     = 1000;
  ph->hu_cancellous   = 300;
  ph->hu_disc         = 90;
  ph->supersample     = 3;
  ph->blur_sigma_mm   = 0.7;
  ph->noise_sd_HU     = 18;
  ph->grid_lo_mm[0] = -65, ph->grid_lo_mm[1] = -95, ph->grid_lo_mm[2] = -145;
  ph->grid_hi_mm[0] = 85, ph->grid_hi_mm[1] = 85, ph->grid_hi_mm[2] = 80;
  for (int c = 0; c < 3; c++) ph->grid_spacing_mm[c] = 1.25;
  PetscCall(HtPhantom_SetUp(ph));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_Destroy(HtPhantom *ph)
{
  PetscFunctionBeginUser;
  if (ph) memset(ph, 0, sizeof(*ph));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_Inside(const HtPhantom *ph, const PetscReal x_mm[3], int *label)
{
  PetscFunctionBeginUser;
  *label = 0;
  if (ph->has_lv && LvQ(ph, x_mm, 0) < 1) {
    *label = 2;
    PetscFunctionReturn(0);
  }
  for (PetscInt t = 0; t < ph->ntubes; t++)
    if (TubeSigned(&ph->tube[t], x_mm, 0) < 0) {
      *label = 1;
      break;
    }
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_TubeEval(const HtPhantom *ph, PetscInt t, PetscReal s_mm, PetscReal x_mm[3], PetscReal tangent[3], PetscReal *r_mm)
{
  const HtPhantomTube *tb;
  PetscReal            x[3], tq[3];
  PetscInt             i;

  PetscFunctionBeginUser;
  PetscCheck(t >= 0 && t < ph->ntubes, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: tube %" PetscInt_FMT " does not exist (%" PetscInt_FMT " tubes)", t, ph->ntubes);
  tb   = &ph->tube[t];
  s_mm = PetscMax(0.0, PetscMin(tb->length_mm, s_mm));
  for (i = 0; i + 1 < tb->npieces; i++)
    if (s_mm <= tb->piece[i].s0 + tb->piece[i].len) break;
  PieceEval(&tb->piece[i], s_mm - tb->piece[i].s0, x, tq);
  if (x_mm)
    for (int c = 0; c < 3; c++) x_mm[c] = x[c];
  if (tangent)
    for (int c = 0; c < 3; c++) tangent[c] = tq[c];
  if (r_mm) *r_mm = TubeRadius(tb, s_mm);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_NearestAxis(const HtPhantom *ph, const PetscReal x_mm[3], PetscInt *tube, PetscReal *dist_mm, PetscReal *s_mm, PetscReal *r_mm, PetscReal axis_mm[3])
{
  PetscInt  bt = -1;
  PetscReal bd = PETSC_MAX_REAL, bs = 0;

  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < ph->ntubes; t++) {
    PetscReal d, s;
    TubeClosest(&ph->tube[t], x_mm, &d, &s);
    if (d < bd) bd = d, bs = s, bt = t;
  }
  if (tube) *tube = bt;
  if (dist_mm) *dist_mm = bd;
  if (s_mm) *s_mm = bs;
  if (bt >= 0) PetscCall(HtPhantom_TubeEval(ph, bt, bs, axis_mm, NULL, r_mm));
  else {
    if (r_mm) *r_mm = 0;
    if (axis_mm) axis_mm[0] = axis_mm[1] = axis_mm[2] = 0;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_DefaultGrid(const HtPhantom *ph, HtGrid *g)
{
  PetscInt  n[3];
  PetscReal sp[3];

  PetscFunctionBeginUser;
  for (int a = 0; a < 3; a++) {
    sp[a] = ph->grid_spacing_mm[a];
    PetscCheck(sp[a] > 0 && ph->grid_hi_mm[a] > ph->grid_lo_mm[a], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: grid box or spacing invalid along axis %d", a);
    n[a] = (PetscInt)PetscFloorReal((ph->grid_hi_mm[a] - ph->grid_lo_mm[a]) / sp[a] + 1e-9) + 1;
  }
  PetscCheck((double)n[0] * n[1] * n[2] <= 64e6, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: default grid %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " too large", n[0], n[1], n[2]);
  HtGrid_SetAxisAligned(g, n, ph->grid_lo_mm, sp);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_TrueLabels(const HtPhantom *ph, const HtGrid *g, HtLabels *lab)
{
  PetscFunctionBeginUser;
  PetscCall(HtLabels_Alloc(lab, g));
  PetscCall(HtLabels_SetName(lab, 1, "aorta"));
  PetscCall(HtLabels_SetName(lab, 2, "lv_blood"));
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        PetscReal ijk[3] = {(PetscReal)i, (PetscReal)j, (PetscReal)k}, x[3];
        int       l;
        HtGrid_IndexToWorld(g, ijk, x);
        PetscCall(HtPhantom_Inside(ph, x, &l));
        lab->lab[HtGrid_Index(g, i, j, k)] = (uint8_t)l;
      }
  PetscFunctionReturn(0);
}

/* ---- rendering ------------------------------------------------------------------------------ */
/* splitmix64: tiny, fast, identical on every platform (rand() is not) */
static inline uint64_t SplitMix64(uint64_t *st)
{
  uint64_t z = (*st += 0x9E3779B97F4A7C15ULL);
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static inline double Uniform01(uint64_t *st) { return ((double)(SplitMix64(st) >> 11) + 0.5) * (1.0 / 9007199254740992.0); } /* (0,1) */

/* separable Gaussian along axis a with sigma in voxels, edges replicated */
static PetscErrorCode BlurAxis(float *val, const PetscInt n[3], int a, PetscReal sigma)
{
  PetscInt  h = (PetscInt)PetscCeilReal(3 * sigma), len = n[a], stride = a == 0 ? 1 : (a == 1 ? n[0] : n[0] * n[1]);
  PetscInt  o1 = a == 0 ? 1 : 0, o2 = a == 2 ? 1 : 2; /* the two other axes */
  PetscReal *w, sum = 0;
  float     *line;

  PetscFunctionBeginUser;
  if (sigma <= 0 || h < 1 || len < 2) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(2 * h + 1, &w));
  PetscCall(PetscMalloc1(len, &line));
  for (PetscInt d = -h; d <= h; d++) sum += (w[d + h] = PetscExpReal(-0.5 * d * d / (sigma * sigma)));
  for (PetscInt d = 0; d <= 2 * h; d++) w[d] /= sum;
  for (PetscInt q = 0; q < n[o2]; q++)
    for (PetscInt p = 0; p < n[o1]; p++) {
      PetscInt idx[3] = {0, 0, 0};
      size_t   base;
      idx[o1] = p, idx[o2] = q;
      base    = HtGrid_Index(&(HtGrid){.n = {n[0], n[1], n[2]}}, idx[0], idx[1], idx[2]);
      for (PetscInt m = 0; m < len; m++) line[m] = val[base + (size_t)m * stride];
      for (PetscInt m = 0; m < len; m++) {
        PetscReal acc = 0;
        for (PetscInt d = -h; d <= h; d++) {
          PetscInt mm = PetscMax(0, PetscMin(len - 1, m + d));
          acc += w[d + h] * line[mm];
        }
        val[base + (size_t)m * stride] = (float)acc;
      }
    }
  PetscCall(PetscFree(w));
  PetscCall(PetscFree(line));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_Render(const HtPhantom *ph, const HtGrid *g, unsigned seed, HtVolume *ct)
{
  size_t    n = HtGrid_Count(g), nmixed = 0;
  uint8_t  *cls;
  PetscReal hu[C_COUNT];
  PetscInt  S = ph->supersample > 0 ? ph->supersample : 1;
  uint64_t  st;

  PetscFunctionBeginUser;
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom render: empty grid");
  hu[C_SOFT] = ph->hu_soft, hu[C_AORTA] = ph->hu_blood, hu[C_LV] = ph->hu_blood, hu[C_MYO] = ph->hu_myo;
  hu[C_CORTICAL] = ph->hu_cortical, hu[C_CANCELLOUS] = ph->hu_cancellous, hu[C_DISC] = ph->hu_disc, hu[C_LUNG] = ph->hu_lung;
  PetscCall(HtVolume_Alloc(ct, g));
  PetscCall(PetscMalloc1(n, &cls));
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        PetscReal ijk[3] = {(PetscReal)i, (PetscReal)j, (PetscReal)k}, x[3];
        HtGrid_IndexToWorld(g, ijk, x);
        cls[HtGrid_Index(g, i, j, k)] = (uint8_t)TissueClass(ph, x);
      }
  /* partial volume: supersample only voxels next to a class change (every structure is thicker
   * than a voxel, so a boundary inside a voxel always shows up among its 26 neighbours) */
  for (PetscInt k = 0; k < g->n[2]; k++)
    for (PetscInt j = 0; j < g->n[1]; j++)
      for (PetscInt i = 0; i < g->n[0]; i++) {
        size_t    id = HtGrid_Index(g, i, j, k);
        PetscBool mixed = PETSC_FALSE;
        for (PetscInt dk = -1; dk <= 1 && !mixed; dk++)
          for (PetscInt dj = -1; dj <= 1 && !mixed; dj++)
            for (PetscInt di = -1; di <= 1 && !mixed; di++) {
              PetscInt a = i + di, b = j + dj, c = k + dk;
              if (a < 0 || b < 0 || c < 0 || a >= g->n[0] || b >= g->n[1] || c >= g->n[2]) continue;
              if (cls[HtGrid_Index(g, a, b, c)] != cls[id]) mixed = PETSC_TRUE;
            }
        if (!mixed || S == 1) {
          ct->val[id] = (float)hu[cls[id]];
          continue;
        }
        nmixed++;
        {
          PetscReal acc = 0;
          for (PetscInt c = 0; c < S; c++)
            for (PetscInt b = 0; b < S; b++)
              for (PetscInt a = 0; a < S; a++) {
                PetscReal ijk[3] = {i + (a + 0.5) / S - 0.5, j + (b + 0.5) / S - 0.5, k + (c + 0.5) / S - 0.5}, x[3];
                HtGrid_IndexToWorld(g, ijk, x);
                acc += hu[TissueClass(ph, x)];
              }
          ct->val[id] = (float)(acc / (S * S * S));
        }
      }
  PetscCall(PetscFree(cls));
  for (int a = 0; a < 3; a++) PetscCall(BlurAxis(ct->val, g->n, a, ph->blur_sigma_mm / g->spacing[a]));
  /* white Gaussian noise (Box-Muller), after the blur like quantum noise after the PSF */
  st = 0x5EEDF00DULL ^ ((uint64_t)seed * 0x9E3779B97F4A7C15ULL);
  if (ph->noise_sd_HU > 0)
    for (size_t i = 0; i < n; i += 2) {
      double u1 = Uniform01(&st), u2 = Uniform01(&st), rr = sqrt(-2.0 * log(u1));
      ct->val[i] += (float)(ph->noise_sd_HU * rr * cos(2 * PETSC_PI * u2));
      if (i + 1 < n) ct->val[i + 1] += (float)(ph->noise_sd_HU * rr * sin(2 * PETSC_PI * u2));
    }
  HtLog_Info("phantom: rendered %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " voxels (%.1f %% supersampled), blur %.2f mm, noise %.1f HU", g->n[0], g->n[1], g->n[2], 100.0 * nmixed / n, (double)ph->blur_sigma_mm, (double)ph->noise_sd_HU);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_Coarctation(const HtPhantom *ph, PetscReal x_mm[3], PetscReal *r_min_mm, PetscReal *r_ref_mm)
{
  PetscInt             t;
  const HtPhantomTube *tb = NULL;
  PetscReal            bs = 0, br = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  for (t = 0; t < ph->ntubes; t++)
    if (ph->tube[t].sten_len_mm > 0) {
      tb = &ph->tube[t];
      break;
    }
  PetscCheck(tb, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: no tube has a narrowing");
  /* the base taper moves the minimum slightly off sten_s: locate it on the true profile */
  for (PetscInt i = 0; i <= 20000; i++) {
    PetscReal s = tb->sten_s_mm + tb->sten_len_mm * (i / 20000.0 - 0.5), r = TubeRadius(tb, s);
    if (r < br) br = r, bs = s;
  }
  PetscCall(HtPhantom_TubeEval(ph, t, bs, x_mm, NULL, NULL));
  if (r_min_mm) *r_min_mm = br;
  if (r_ref_mm) *r_ref_mm = TubeBaseRadius(tb, bs);
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_Centerlines(const HtPhantom *ph, const HtGrid *g, PetscReal ds_mm, PetscInt *ncurves, HtPhantomCurve **curves)
{
  HtPhantomCurve *cv;

  PetscFunctionBeginUser;
  PetscCheck(ds_mm > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom centerlines: sampling step %g mm must be > 0", (double)ds_mm);
  PetscCall(PetscCalloc1(ph->ntubes > 0 ? ph->ntubes : 1, &cv));
  for (PetscInt t = 0; t < ph->ntubes; t++) {
    const HtPhantomTube *tb = &ph->tube[t];
    PetscInt             m  = (PetscInt)PetscCeilReal(tb->length_mm / ds_mm) + 1, first = -1, last = -1;
    PetscCall(PetscStrncpy(cv[t].name, tb->name, sizeof(cv[t].name)));
    cv[t].tube        = t;
    cv[t].parent      = tb->parent;
    cv[t].parent_s_mm = tb->parent_s_mm;
    PetscCall(PetscMalloc1(3 * m, &cv[t].x));
    PetscCall(PetscMalloc1(m, &cv[t].r));
    PetscCall(PetscMalloc1(m, &cv[t].s));
    for (PetscInt i = 0; i < m; i++) {
      PetscReal s = tb->length_mm * i / (m - 1), x[3], r;
      PetscBool in = PETSC_TRUE;
      PetscCall(HtPhantom_TubeEval(ph, t, s, x, NULL, &r));
      if (g) {
        PetscReal ijk[3];
        HtGrid_WorldToIndex(g, x, ijk);
        for (int a = 0; a < 3; a++)
          if (ijk[a] < -0.5 || ijk[a] > g->n[a] - 0.5) in = PETSC_FALSE;
      }
      if (!in) {
        if (first >= 0) break; /* keep the first contiguous run inside the box */
        continue;
      }
      if (first < 0) first = i;
      last                         = i;
      cv[t].x[3 * (i - first) + 0] = x[0];
      cv[t].x[3 * (i - first) + 1] = x[1];
      cv[t].x[3 * (i - first) + 2] = x[2];
      cv[t].r[i - first]           = r;
      cv[t].s[i - first]           = s;
    }
    cv[t].npts = first < 0 ? 0 : last - first + 1;
  }
  *ncurves = ph->ntubes;
  *curves  = cv;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_CurvesDestroy(PetscInt ncurves, HtPhantomCurve **curves)
{
  PetscFunctionBeginUser;
  if (!curves || !*curves) PetscFunctionReturn(0);
  for (PetscInt t = 0; t < ncurves; t++) {
    PetscCall(PetscFree((*curves)[t].x));
    PetscCall(PetscFree((*curves)[t].r));
    PetscCall(PetscFree((*curves)[t].s));
  }
  PetscCall(PetscFree(*curves));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_DicomInfoDefault(HtPhantomDicomInfo *info)
{
  PetscFunctionBeginUser;
  memset(info, 0, sizeof(*info));
  /* made up, but shaped like real values so de-identification has something to remove */
  PetscCall(PetscStrncpy(info->patient_name, "DOE^JANE", sizeof(info->patient_name)));
  PetscCall(PetscStrncpy(info->patient_id, "HT-0042-7731", sizeof(info->patient_id)));
  PetscCall(PetscStrncpy(info->birth_date, "19710423", sizeof(info->birth_date)));
  PetscCall(PetscStrncpy(info->sex, "F", sizeof(info->sex)));
  PetscCall(PetscStrncpy(info->study_date, "20240311", sizeof(info->study_date)));
  PetscCall(PetscStrncpy(info->study_time, "142530", sizeof(info->study_time)));
  PetscCall(PetscStrncpy(info->accession, "ACC20240311077", sizeof(info->accession)));
  PetscCall(PetscStrncpy(info->institution, "Springfield General Hospital", sizeof(info->institution)));
  PetscCall(PetscStrncpy(info->referring, "SMITH^JOHN^A^DR", sizeof(info->referring)));
  PetscCall(PetscStrncpy(info->study_desc, "CTA THORACIC AORTA", sizeof(info->study_desc)));
  PetscCall(PetscStrncpy(info->series_desc, "AORTA 1.25mm CE", sizeof(info->series_desc)));
  info->series_number = 3;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_WriteDefault(const char *dir, unsigned seed)
{
  HtPhantom ph;
  HtGrid    g;
  HtVolume  ct;

  PetscFunctionBeginUser;
  PetscCheck(dir && dir[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: no output folder given");
  { /* fail before rendering when the folder cannot take the series (WriteDicom checks again) */
    PetscBool exists, isdir, any = PETSC_FALSE;
    PetscCall(HtPath_Exists(dir, &exists, &isdir));
    PetscCheck(!exists || isdir, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: exists and is not a folder", dir);
    if (exists) {
      DIR           *d = opendir(dir);
      struct dirent *e;
      PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot be listed", dir);
      while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) any = PETSC_TRUE;
      closedir(d);
    }
    PetscCheck(!any, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "folder %s: not empty; the DICOM series needs an empty or new folder", dir);
  }
  memset(&ct, 0, sizeof(ct));
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_SetFromOptions(&ph));
  PetscCall(HtPhantom_DefaultGrid(&ph, &g));
  PetscCall(HtPhantom_Render(&ph, &g, seed, &ct));
  PetscCall(HtPhantom_WriteDicom(&ct, dir, NULL));
  HtLog_Info("phantom: %" PetscInt_FMT " DICOM slices written to %s", g.n[2], dir);
  PetscCall(HtVolume_Free(&ct));
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_AorticRoot(const HtPhantom *ph, PetscReal x_mm[3], PetscReal *s_mm, PetscReal *r_mm)
{
  PetscReal x[3], lo = 0, hi = -1;

  PetscFunctionBeginUser;
  PetscCheck(ph->has_lv && ph->ntubes > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: no LV or no aorta, so no aortic root");
  PetscCall(HtPhantom_TubeEval(ph, 0, 0, x, NULL, NULL));
  PetscCheck(LvQ(ph, x, 0) < 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: the aorta does not start inside the LV");
  for (PetscReal s = 0; s <= ph->tube[0].length_mm; s += 0.5) {
    PetscCall(HtPhantom_TubeEval(ph, 0, s, x, NULL, NULL));
    if (LvQ(ph, x, 0) >= 1) {
      hi = s;
      break;
    }
    lo = s;
  }
  PetscCheck(hi >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "phantom: the aorta never leaves the LV");
  for (int it = 0; it < 60; it++) { /* bisection on the ellipsoid boundary */
    PetscReal m = 0.5 * (lo + hi);
    PetscCall(HtPhantom_TubeEval(ph, 0, m, x, NULL, NULL));
    if (LvQ(ph, x, 0) < 1) lo = m;
    else hi = m;
  }
  PetscCall(HtPhantom_TubeEval(ph, 0, hi, x_mm, NULL, r_mm));
  if (s_mm) *s_mm = hi;
  PetscFunctionReturn(0);
}

PetscErrorCode HtPhantom_SetFromOptions(HtPhantom *ph)
{
  PetscReal v;
  PetscInt  iv;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-phantom_spacing", &v, &set));
  if (set) {
    PetscCheck(v >= 0.6 && v <= 3, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -phantom_spacing %g: expected 0.6 .. 3 mm", (double)v);
    for (int a = 0; a < 3; a++) ph->grid_spacing_mm[a] = v;
  }
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-phantom_noise_sd", &v, &set));
  if (set) {
    PetscCheck(v >= 0 && v <= 500, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -phantom_noise_sd %g: expected 0 .. 500 HU", (double)v);
    ph->noise_sd_HU = v;
  }
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-phantom_blur_sigma", &v, &set));
  if (set) {
    PetscCheck(v >= 0 && v <= 5, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -phantom_blur_sigma %g: expected 0 .. 5 mm", (double)v);
    ph->blur_sigma_mm = v;
  }
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-phantom_supersample", &iv, &set));
  if (set) {
    PetscCheck(iv >= 1 && iv <= 8, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -phantom_supersample %" PetscInt_FMT ": expected 1 .. 8", iv);
    ph->supersample = iv;
  }
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-phantom_coarct_frac", &v, &set));
  if (set) {
    PetscInt t;
    PetscCheck(v > 0 && v <= 0.9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -phantom_coarct_frac %g: expected 0 .. 0.9", (double)v);
    for (t = 0; t < ph->ntubes; t++)
      if (ph->tube[t].sten_len_mm > 0) break;
    PetscCheck(t < ph->ntubes, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -phantom_coarct_frac: the phantom has no narrowing");
    ph->tube[t].sten_frac = v;
  }
  PetscCall(HtPhantom_SetUp(ph));
  PetscFunctionReturn(0);
}
