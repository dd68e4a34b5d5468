/* WriteDicom round trip, read back with DCMTK directly (a second reader): UIDs, transfer syntax,
 * pixel module, positions / orientation / spacing of every slice, rescale, and pixel values equal
 * to the rendered volume within rounding; file names not in slice order; bad folders rejected. */
#include <htphantom.h>
#include "httest.h"
#include "dcm_slice_reader.h"
#include <dirent.h>
#include <unistd.h>

typedef struct {
  char           name[64];
  HtTestDcmSlice s;
  double         loc; /* position along the slice normal */
} Entry;

static int CmpLoc(const void *a, const void *b)
{
  double d = ((const Entry *)a)->loc - ((const Entry *)b)->loc;
  return d < 0 ? -1 : d > 0;
}
static int CmpName(const void *a, const void *b) { return strcmp(((const Entry *)a)->name, ((const Entry *)b)->name); }

static PetscErrorCode RemoveDir(const char *dir)
{
  DIR           *d = opendir(dir);
  struct dirent *e;
  char           p[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!d) PetscFunctionReturn(0);
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      PetscCall(HtPath_Join(p, sizeof(p), dir, e->d_name));
      unlink(p);
    }
  closedir(d);
  rmdir(dir);
  PetscFunctionReturn(0);
}

/* write ct to a fresh folder, read every file back and compare */
static PetscErrorCode RoundTrip(const HtVolume *ct, const char *tag)
{
  char           dir[PETSC_MAX_PATH_LEN], p[PETSC_MAX_PATH_LEN];
  const HtGrid  *g = &ct->g;
  Entry         *ent;
  PetscInt       nf = 0, nbad = 0, nout_of_order = 0;
  DIR           *d;
  struct dirent *e;
  double         maxdiff = 0, maxpos = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "phantom_dicom_%s_%d", tag, (int)getpid()));
  PetscCall(RemoveDir(dir));
  PetscCall(HtPhantom_WriteDicom(ct, dir, NULL));
  PetscCall(PetscCalloc1(g->n[2] + 1, &ent));
  d = opendir(dir);
  PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot list", dir);
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    HT_CHECK(nf < g->n[2], "%s: more files than slices", tag);
    if (nf >= g->n[2]) break;
    PetscCall(PetscStrncpy(ent[nf].name, e->d_name, sizeof(ent[nf].name)));
    PetscCall(HtPath_Join(p, sizeof(p), dir, e->d_name));
    PetscCall(HtTestDcm_ReadSlice(p, &ent[nf].s));
    /* normal from the file's own orientation (row x column direction cosines) */
    {
      const double *o = ent[nf].s.iop, nrm[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
      ent[nf].loc = ent[nf].s.ipp[0] * nrm[0] + ent[nf].s.ipp[1] * nrm[1] + ent[nf].s.ipp[2] * nrm[2];
    }
    nf++;
  }
  closedir(d);
  printf("%s: %" PetscInt_FMT " files for %" PetscInt_FMT " slices of %" PetscInt_FMT "x%" PetscInt_FMT "\n", tag, nf, g->n[2], g->n[0], g->n[1]);
  HT_CHECK(nf == g->n[2], "%s: %" PetscInt_FMT " files for %" PetscInt_FMT " slices", tag, nf, g->n[2]);
  /* file names in sorted order are not the slice order */
  qsort(ent, (size_t)nf, sizeof(Entry), CmpName);
  for (PetscInt i = 0; i + 1 < nf; i++) nout_of_order += ent[i].loc > ent[i + 1].loc;
  printf("%s: %" PetscInt_FMT " of %" PetscInt_FMT " consecutive file names are out of slice order\n", tag, nout_of_order, nf - 1);
  if (nf > 2) HT_CHECK(nout_of_order > 0 && nout_of_order < nf - 1, "%s: file names are in slice order", tag);
  qsort(ent, (size_t)nf, sizeof(Entry), CmpLoc);
  for (PetscInt k = 0; k < nf; k++) {
    HtTestDcmSlice *s = &ent[k].s;
    PetscReal       ijk[3] = {0, 0, (PetscReal)k}, x[3];
    HtGrid_IndexToWorld(g, ijk, x);
    HT_CHECK(!strcmp(s->sop_class, "1.2.840.10008.5.1.4.1.1.2"), "%s: SOP class %s is not CT Image Storage", ent[k].name, s->sop_class);
    HT_CHECK(!strcmp(s->transfer_syntax, "1.2.840.10008.1.2.1"), "%s: transfer syntax %s is not explicit VR little endian", ent[k].name, s->transfer_syntax);
    HT_CHECK(!strcmp(s->media_sop_class, s->sop_class) && !strcmp(s->media_sop_uid, s->sop_uid), "%s: file meta SOP class/instance differ from the dataset", ent[k].name);
    HT_CHECK(!strcmp(s->pixel_vr, "OW"), "%s: PixelData VR %s (expected OW)", ent[k].name, s->pixel_vr);
    HT_CHECK(!strcmp(s->modality, "CT") && !strcmp(s->photometric, "MONOCHROME2"), "%s: modality %s / photometric %s", ent[k].name, s->modality, s->photometric);
    HT_CHECK(s->samples_per_pixel == 1 && s->bits_allocated == 16 && s->bits_stored == 16 && s->high_bit == 15 && (s->pixel_rep == 0 || s->pixel_rep == 1), "%s: pixel module %ld/%ld/%ld/%ld/%ld", ent[k].name, s->samples_per_pixel, s->bits_allocated, s->bits_stored, s->high_bit, s->pixel_rep);
    HT_CHECK(s->rows == g->n[1] && s->cols == g->n[0], "%s: %ld rows x %ld columns", ent[k].name, s->rows, s->cols);
    HT_CHECK(!strcmp(s->series_uid, ent[0].s.series_uid), "%s: series UID differs between slices", ent[k].name);
    HT_CHECK(k == 0 || strcmp(s->sop_uid, ent[k - 1].s.sop_uid), "%s: SOP instance UID repeated", ent[k].name);
    HT_CHECK(!strcmp(s->patient_name, "DOE^JANE"), "%s: the made-up patient name is missing", ent[k].name);
    for (int c = 0; c < 6; c++) HT_CHECK(fabs(s->iop[c] - g->dir[c]) < 1e-5, "%s: ImageOrientationPatient[%d] %g vs %g", ent[k].name, c, s->iop[c], (double)g->dir[c]);
    HT_CHECK(fabs(s->pixel_spacing[0] - g->spacing[1]) < 1e-4 && fabs(s->pixel_spacing[1] - g->spacing[0]) < 1e-4, "%s: PixelSpacing %g\\%g", ent[k].name, s->pixel_spacing[0], s->pixel_spacing[1]);
    HT_CHECK(fabs(s->slice_thickness - g->spacing[2]) < 1e-4, "%s: SliceThickness %g", ent[k].name, s->slice_thickness);
    for (int c = 0; c < 3; c++) maxpos = PetscMax(maxpos, fabs(s->ipp[c] - x[c]));
    for (PetscInt p = 0; p < g->n[0] * g->n[1]; p++) {
      double diff = fabs(s->hu[p] - ct->val[(size_t)k * g->n[0] * g->n[1] + p]);
      maxdiff     = PetscMax(maxdiff, diff);
      nbad += diff > 0.5 + 1e-4;
    }
  }
  printf("%s: max |ImagePositionPatient - grid| %.2e mm, max |HU read - HU rendered| %.4f (rounding 0.5), %" PetscInt_FMT " pixels beyond rounding; rescale %g/%g, pixel representation %ld\n", tag, maxpos, maxdiff, nbad, ent[0].s.slope, ent[0].s.intercept, ent[0].s.pixel_rep);
  HT_CHECK(maxpos < 1e-3, "%s: slice positions off by %g mm", tag, maxpos);
  HT_CHECK(nbad == 0, "%s: %" PetscInt_FMT " pixels differ by more than rounding", tag, nbad);
  for (PetscInt k = 0; k < nf; k++) PetscCall(HtTestDcm_FreeSlice(&ent[k].s));
  PetscCall(PetscFree(ent));
  /* writing into the now non-empty folder is refused with an error, nothing overwritten */
  {
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtPhantom_WriteDicom(ct, dir, NULL);
    PetscCall(PetscPopErrorHandler());
    HT_CHECK(ierr == PETSC_ERR_FILE_WRITE, "%s: writing into a non-empty folder gave error %d", tag, (int)ierr);
  }
  PetscCall(RemoveDir(dir));
  PetscFunctionReturn(0);
}

static PetscErrorCode Body(void)
{
  HtPhantom ph;
  HtGrid    g;
  HtVolume  ct;

  PetscFunctionBeginUser;
  /* 1. the default phantom as `hemotwin phantom` writes it */
  PetscCall(HtPhantom_Default(&ph));
  PetscCall(HtPhantom_DefaultGrid(&ph, &g));
  PetscCall(HtPhantom_Render(&ph, &g, 7u, &ct));
  PetscCall(RoundTrip(&ct, "default"));
  PetscCall(HtVolume_Free(&ct));
  /* 2. an oblique grid (rotated 30 degrees about z, tilted 10 degrees) with anisotropic spacing */
  {
    PetscInt  n[3]  = {23, 17, 6};
    PetscReal o[3]  = {-12.5, 30.25, -101.0}, sp[3] = {0.7, 0.9, 2.5}, a = PETSC_PI / 6, b = PETSC_PI / 18;
    PetscReal r0[3] = {PetscCosReal(a), PetscSinReal(a), 0}, c1[3] = {-PetscSinReal(a) * PetscCosReal(b), PetscCosReal(a) * PetscCosReal(b), PetscSinReal(b)}, nz[3];
    nz[0] = r0[1] * c1[2] - r0[2] * c1[1], nz[1] = r0[2] * c1[0] - r0[0] * c1[2], nz[2] = r0[0] * c1[1] - r0[1] * c1[0];
    HtGrid_SetAxisAligned(&g, n, o, sp);
    for (int c = 0; c < 3; c++) g.dir[c] = r0[c], g.dir[3 + c] = c1[c], g.dir[6 + c] = nz[c];
    PetscCall(HtPhantom_Render(&ph, &g, 3u, &ct));
    for (size_t i = 0; i < HtGrid_Count(&g); i++) ct.val[i] = (float)(-1000.0 + 2.37 * (double)i); /* ramp with fractions */
    PetscCall(RoundTrip(&ct, "oblique"));
    PetscCall(HtVolume_Free(&ct));
  }
  /* 3. HtPhantom_WriteDefault (what `hemotwin phantom --out DIR` calls): one file per default slice,
   * and a second call into the same folder is refused */
  {
    char           dir[64], p[PETSC_MAX_PATH_LEN];
    PetscInt       nf = 0;
    DIR           *d;
    struct dirent *e;
    HtTestDcmSlice s;
    PetscErrorCode ierr;
    PetscCall(HtPhantom_DefaultGrid(&ph, &g));
    PetscCall(PetscSNPrintf(dir, sizeof(dir), "phantom_default_%d", (int)getpid()));
    PetscCall(RemoveDir(dir));
    PetscCall(HtPhantom_WriteDefault(dir, 11u));
    d = opendir(dir);
    PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "folder %s: cannot list", dir);
    while ((e = readdir(d)))
      if (e->d_name[0] != '.') {
        if (nf++ == 0) {
          PetscCall(HtPath_Join(p, sizeof(p), dir, e->d_name));
          PetscCall(HtTestDcm_ReadSlice(p, &s));
          HT_CHECK(s.rows == g.n[1] && s.cols == g.n[0], "WriteDefault: slice %ldx%ld", s.rows, s.cols);
          PetscCall(HtTestDcm_FreeSlice(&s));
        }
      }
    closedir(d);
    printf("WriteDefault: %" PetscInt_FMT " files (default grid has %" PetscInt_FMT " slices)\n", nf, g.n[2]);
    HT_CHECK(nf == g.n[2], "WriteDefault wrote %" PetscInt_FMT " files for %" PetscInt_FMT " slices", nf, g.n[2]);
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtPhantom_WriteDefault(dir, 11u);
    PetscCall(PetscPopErrorHandler());
    HT_CHECK(ierr == PETSC_ERR_FILE_WRITE, "WriteDefault into a non-empty folder gave error %d", (int)ierr);
    PetscCall(RemoveDir(dir));
  }
  /* 4. a regular file as the output folder is refused */
  {
    PetscErrorCode ierr;
    FILE          *f = fopen("phantom_not_a_dir", "w");
    PetscInt       n[3] = {2, 2, 2};
    PetscReal      o[3] = {0, 0, 0}, sp[3] = {1, 1, 1};
    if (f) fclose(f);
    HtGrid_SetAxisAligned(&g, n, o, sp);
    PetscCall(HtVolume_Alloc(&ct, &g));
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = HtPhantom_WriteDicom(&ct, "phantom_not_a_dir", NULL);
    PetscCall(PetscPopErrorHandler());
    printf("file as output folder: error %d\n", (int)ierr);
    HT_CHECK(ierr == PETSC_ERR_FILE_WRITE, "a regular file accepted as the output folder (error %d)", (int)ierr);
    unlink("phantom_not_a_dir");
    PetscCall(HtVolume_Free(&ct));
  }
  PetscCall(HtPhantom_Destroy(&ph));
  PetscFunctionReturn(0);
}

HT_TEST_MAIN(Body)
