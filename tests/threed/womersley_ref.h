/* Reads the Womersley reference data (../shared/data/threed/womersley) used by the threed tests:
 * the flow integrals (24 instants over T) give the Fourier coefficients of Q(t) by a DFT. */
#pragma once
#include <httest.h>

#define WOM_T   1.1
#define WOM_R   0.3
#define WOM_MU  0.04
#define WOM_RHO 1.0
#define WOM_NMAX 32

typedef struct {
  int    n;
  double t[WOM_NMAX], Q[WOM_NMAX], tau[WOM_NMAX];
  double Qre[2], Qim[2]; /* mean and first harmonic of Q(t) */
} WomRef;

static inline int WomRef_Read(const char *path, WomRef *w)
{
  FILE *f = fopen(path, "r");
  char  line[512];
  w->n = 0;
  if (!f) return 1;
  if (!fgets(line, sizeof line, f)) {
    fclose(f);
    return 1;
  }
  while (w->n < WOM_NMAX && fgets(line, sizeof line, f)) {
    double dpdz;
    if (sscanf(line, "%lf,%lf,%lf,%lf", &w->t[w->n], &w->Q[w->n], &w->tau[w->n], &dpdz) == 4) w->n++;
  }
  fclose(f);
  /* DFT over the uniform samples (the reference is a mean plus one harmonic) */
  w->Qre[0] = w->Qre[1] = w->Qim[0] = w->Qim[1] = 0;
  for (int k = 0; k < w->n; k++) {
    double ph = 2 * PETSC_PI * w->t[k] / WOM_T;
    w->Qre[0] += w->Q[k] / w->n;
    w->Qre[1] += 2 * w->Q[k] * cos(ph) / w->n;
    w->Qim[1] -= 2 * w->Q[k] * sin(ph) / w->n;
  }
  return w->n < 8;
}
