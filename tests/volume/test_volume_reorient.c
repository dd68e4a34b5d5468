/* Reorientation and NIfTI/MetaImage round trips on small synthetic grids: every voxel keeps its
 * world position (checked through a value = f(world position) pattern). */
#include <htvolumeio.h>
#include "httest.h"
#include <stdint.h>

static float Pattern(const PetscReal x[3]) { return (float)(1.0 * x[0] + 1000.0 * x[1] + 0.01 * x[2] * x[2]); }

static void Fill(HtVolume *v)
{
  for (PetscInt k = 0; k < v->g.n[2]; k++)
    for (PetscInt j = 0; j < v->g.n[1]; j++)
      for (PetscInt i = 0; i < v->g.n[0]; i++) {
        PetscReal ijk[3] = {i, j, k}, x[3];
        HtGrid_IndexToWorld(&v->g, ijk, x);
        v->val[HtGrid_Index(&v->g, i, j, k)] = Pattern(x);
      }
}

static double MaxPatternError(const HtVolume *v)
{
  double e = 0;
  for (PetscInt k = 0; k < v->g.n[2]; k++)
    for (PetscInt j = 0; j < v->g.n[1]; j++)
      for (PetscInt i = 0; i < v->g.n[0]; i++) {
        PetscReal ijk[3] = {i, j, k}, x[3];
        HtGrid_IndexToWorld(&v->g, ijk, x);
        double d = fabs(v->val[HtGrid_Index(&v->g, i, j, k)] - Pattern(x)) / (1.0 + fabs(Pattern(x)));
        e        = PetscMax(e, d);
      }
  return e;
}

static PetscErrorCode Run(void)
{
  /* LAS-like grid with axes permuted: i -> -P (rows), j -> +L... a general signed permutation */
  const PetscReal dirs[][9] = {
    {-1, 0, 0, 0, -1, 0, 0, 0, 1}, /* RAS voxel order */
    {1, 0, 0, 0, -1, 0, 0, 0, 1},  /* LAS */
    {0, -1, 0, 0, 0, 1, 1, 0, 0},  /* i -> A, j -> S, k -> L */
  };
  for (int t = 0; t < 3; t++) {
    HtVolume  v, r;
    HtGrid    g;
    PetscInt  n[3]  = {7, 5, 4};
    PetscReal o[3]  = {10.5, -20.25, 33.0}, sp[3] = {0.8, 1.25, 2.5};
    HtGrid_SetAxisAligned(&g, n, o, sp);
    PetscCall(PetscArraycpy(g.dir, dirs[t], 9));
    PetscCall(HtVolume_Alloc(&v, &g));
    Fill(&v);
    PetscCall(HtVolume_Copy(&v, &r));
    PetscCall(HtVolume_Reorient(&r));
    double e = MaxPatternError(&r);
    printf("case %d: reoriented dims %" PetscInt_FMT " %" PetscInt_FMT " %" PetscInt_FMT ", dir diag %.0f %.0f %.0f, max rel pattern error %.2e\n", t, r.g.n[0], r.g.n[1], r.g.n[2], r.g.dir[0], r.g.dir[4], r.g.dir[8], e);
    for (int a = 0; a < 9; a++) HT_CHECK_CLOSE(r.g.dir[a], (a % 4 == 0) ? 1.0 : 0.0, 0, 1e-12, "reoriented dir = identity");
    HT_CHECK(e < 1e-6, "reorient keeps world positions (case %d)", t);
    PetscCall(HtVolume_Free(&r));

    /* NIfTI round trip keeps geometry and values */
    char fn[64];
    PetscCall(PetscSNPrintf(fn, sizeof fn, "roundtrip_%d.nii.gz", t));
    PetscCall(HtVolume_WriteNIfTI(&v, fn));
    PetscCall(HtVolume_ReadNIfTI(fn, &r));
    e = MaxPatternError(&r);
    printf("case %d: NIfTI round trip max rel pattern error %.2e, origin %.3f %.3f %.3f\n", t, e, r.g.origin[0], r.g.origin[1], r.g.origin[2]);
    HT_CHECK(e < 1e-5, "NIfTI round trip keeps world positions (case %d)", t);
    HT_CHECK(r.g.n[0] * r.g.n[1] * r.g.n[2] == 7 * 5 * 4, "voxel count");
    PetscCall(HtVolume_Free(&r));

    /* labels round trip + reorient */
    HtLabels l, l2;
    PetscCall(HtLabels_Alloc(&l, &g));
    for (size_t i = 0; i < HtGrid_Count(&g); i++) l.lab[i] = (uint8_t)(i % 251);
    PetscCall(PetscSNPrintf(fn, sizeof fn, "roundtrip_lab_%d.nii", t));
    PetscCall(HtLabels_WriteNIfTI(&l, fn));
    PetscCall(HtLabels_ReadNIfTI(fn, &l2));
    PetscCall(HtLabels_Reorient(&l));
    PetscCall(HtLabels_Reorient(&l2));
    HT_CHECK(HtGrid_Same(&l.g, &l2.g, 1e-4), "label round trip grid (case %d)", t);
    size_t diff = 0;
    for (size_t i = 0; i < HtGrid_Count(&g); i++) diff += l.lab[i] != l2.lab[i];
    printf("case %d: label round trip, %zu voxels differ\n", t, diff);
    HT_CHECK(diff == 0, "label round trip values");
    PetscCall(HtLabels_Free(&l));
    PetscCall(HtLabels_Free(&l2));
    PetscCall(HtVolume_Free(&v));
  }
  /* NIfTI-1 with only a qform (as dcm2niix-style tools write), header written by hand: rotation
   * of 90 degrees about z (quaternion d = sin 45), pixdim 1 2 3, qoffset (10, 20, 30) RAS.
   * RAS of voxel (i,j,k) = (10 - 2j, 20 + i, 30 + 3k) -> LPS (2j - 10, -i - 20, 3k + 30). */
  for (int qf = 1; qf >= -1; qf -= 2) { /* qfac -1: left-handed, VTK reverses the slices */
    unsigned char hdr[352];
    memset(hdr, 0, sizeof hdr);
    int32_t sz = 348;
    int16_t dim[8] = {3, 4, 3, 2, 1, 1, 1, 1}, dt = 16, bp = 32, qc = 1, sc = 0;
    float   pixdim[8] = {(float)qf, 1, 2, 3, 0, 0, 0, 0}, vo = 352, slope = 1, q[6] = {0, 0, (float)sqrt(0.5), 10, 20, 30};
    memcpy(hdr + 0, &sz, 4);
    memcpy(hdr + 40, dim, 16);
    memcpy(hdr + 70, &dt, 2);
    memcpy(hdr + 72, &bp, 2);
    memcpy(hdr + 76, pixdim, 32);
    memcpy(hdr + 108, &vo, 4);
    memcpy(hdr + 112, &slope, 4);
    hdr[123] = 2; /* mm */
    memcpy(hdr + 252, &qc, 2);
    memcpy(hdr + 254, &sc, 2);
    memcpy(hdr + 256, q, 24);
    memcpy(hdr + 344, "n+1", 4);
    FILE *f = fopen("qform_only.nii", "wb");
    HT_CHECK(f != NULL, "create qform_only.nii");
    if (f) {
      fwrite(hdr, 1, sizeof hdr, f);
      for (int k = 0; k < 2; k++)
        for (int j = 0; j < 3; j++)
          for (int i = 0; i < 4; i++) {
            float v = (float)(i + 10 * j + 100 * k);
            fwrite(&v, sizeof v, 1, f);
          }
      fclose(f);
      HtVolume qv;
      PetscCall(HtVolume_ReadNIfTI("qform_only.nii", &qv));
      double emax = 0;
      for (PetscInt k = 0; k < qv.g.n[2]; k++)
        for (PetscInt j = 0; j < qv.g.n[1]; j++)
          for (PetscInt i = 0; i < qv.g.n[0]; i++) {
            /* recover the file index from the value, compare the world position with the formula */
            int       v = (int)lround(qv.val[HtGrid_Index(&qv.g, i, j, k)]);
            int       fi = v % 10, fj = (v / 10) % 10, fk = v / 100;
            PetscReal ijk[3] = {i, j, k}, x[3], ex[3] = {2.0 * fj - 10, -fi - 20.0, 3.0 * qf * fk + 30};
            HtGrid_IndexToWorld(&qv.g, ijk, x);
            for (int c = 0; c < 3; c++) emax = PetscMax(emax, fabs(x[c] - ex[c]));
          }
      printf("qform-only NIfTI, qfac %d: dims %" PetscInt_FMT " %" PetscInt_FMT " %" PetscInt_FMT ", spacing %.1f %.1f %.1f, max world error %.2e mm\n", qf, qv.g.n[0], qv.g.n[1], qv.g.n[2], qv.g.spacing[0], qv.g.spacing[1], qv.g.spacing[2], emax);
      HT_CHECK(emax < 1e-4, "qform-only world positions");
      PetscCall(HtVolume_Free(&qv));
    }
  }
  /* MetaImage with an explicit TransformMatrix (written by hand: an independent writer) */
  {
    FILE *f = fopen("meta_test.mha", "wb");
    HT_CHECK(f != NULL, "create mha");
    if (f) {
      fprintf(f, "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nTransformMatrix = 0 1 0 -1 0 0 0 0 1\nOffset = 5 6 7\nElementSpacing = 2 3 4\nDimSize = 3 2 2\nElementType = MET_SHORT\nElementDataFile = LOCAL\n");
      for (short s = 0; s < 12; s++) fwrite(&s, sizeof s, 1, f);
      fclose(f);
      HtVolume m;
      PetscCall(HtVolume_Read("meta_test.mha", &m));
      printf("mha: dims %" PetscInt_FMT " %" PetscInt_FMT " %" PetscInt_FMT ", origin %.1f %.1f %.1f, axis0 %.0f %.0f %.0f, value(2,1,1) %.0f\n", m.g.n[0], m.g.n[1], m.g.n[2], m.g.origin[0], m.g.origin[1], m.g.origin[2], m.g.dir[0], m.g.dir[1], m.g.dir[2], (double)m.val[HtGrid_Index(&m.g, 2, 1, 1)]);
      HT_CHECK(m.g.n[0] == 3 && m.g.n[1] == 2 && m.g.n[2] == 2, "mha dims");
      HT_CHECK_CLOSE(m.g.origin[0], 5, 0, 1e-9, "mha origin");
      HT_CHECK_CLOSE(m.g.spacing[1], 3, 0, 1e-9, "mha spacing");
      HT_CHECK_CLOSE(m.g.dir[1], 1, 0, 1e-9, "mha axis 0 = +P");
      HT_CHECK_CLOSE(m.g.dir[3], -1, 0, 1e-9, "mha axis 1 = -L");
      HT_CHECK_CLOSE(m.val[HtGrid_Index(&m.g, 2, 1, 1)], 11, 0, 0, "mha value");
      PetscCall(HtVolume_Free(&m));
    }
  }
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Run)
