/* Internal helpers of the segmentation (binary morphology on HtGrid masks). */
#pragma once
#include "htsegment.h"

PetscErrorCode HtSeg_EDT(const HtGrid *g, const uint8_t *m, uint8_t zero_value, PetscBool only_xy, float *d2);
PetscErrorCode HtSeg_Erode(const HtGrid *g, const uint8_t *m, PetscReal r_mm, uint8_t *out);
PetscErrorCode HtSeg_Dilate(const HtGrid *g, const uint8_t *m, PetscReal r_mm, uint8_t *out);
PetscErrorCode HtSeg_Open(const HtGrid *g, const uint8_t *m, PetscReal r_mm, uint8_t *out);
PetscErrorCode HtSeg_KeepConnected(const HtGrid *g, const uint8_t *m, size_t seed, uint8_t *out, size_t *count);
PetscErrorCode HtSeg_Components(const HtGrid *g, const uint8_t *m, int32_t *comp, PetscInt *ncomp, size_t **sizes);
PetscErrorCode HtSeg_FillHoles2D(const HtGrid *g, uint8_t *m, PetscReal max_area_mm2, const float *val, PetscReal max_mean);
PetscErrorCode HtSeg_BoxMean(const HtGrid *g, const uint8_t *m, PetscReal r_mm, float *out);
