/* Minimal test helpers for hemotwin's ctest executables.
 *   HT_TEST_MAIN(body)     PetscInitialize, run body (a function returning PetscErrorCode), report.
 *   HT_CHECK(cond, fmt...) record a failure (test goes on, exits 1 at the end).
 *   HT_CHECK_CLOSE(a, b, reltol, abstol, what)
 *   HtTest_RequireData(rel, buf) -> PETSC_TRUE when present; when absent: under CI=true the test fails,
 *   elsewhere it prints a loud SKIP and the test exits 77 (ctest: skipped). */
#pragma once
#include <htcore.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ht_test_failures = 0;
static int ht_test_skip     = 0;

#define HT_CHECK(cond, ...) \
  do { \
    if (!(cond)) { \
      ht_test_failures++; \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__); \
      fputc('\n', stderr); \
    } \
  } while (0)

#define HT_CHECK_CLOSE(a, b, rtol, atol, what) \
  do { \
    double _a = (double)(a), _b = (double)(b); \
    if (!(fabs(_a - _b) <= (atol) + (rtol) * fabs(_b))) { \
      ht_test_failures++; \
      fprintf(stderr, "FAIL %s:%d: %s: got %.10g, expected %.10g (rtol %g, atol %g)\n", __FILE__, __LINE__, what, _a, _b, (double)(rtol), (double)(atol)); \
    } \
  } while (0)

static inline PetscBool HtTest_RequireData(const char *rel, char *buf, size_t len)
{
  PetscBool ex = PETSC_FALSE;
  if (HtData_Path(rel, buf, len, &ex) || !ex) {
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true")) {
      fprintf(stderr, "FAIL: reference data %s missing (set HEMOTWIN_DATA); required under CI=true\n", buf);
      ht_test_failures++;
    } else {
      fprintf(stderr, "SKIP: reference data %s missing (set HEMOTWIN_DATA to the shared data folder)\n", buf);
      ht_test_skip = 1;
    }
    return PETSC_FALSE;
  }
  return PETSC_TRUE;
}

#define HT_TEST_MAIN(body) \
  int main(int argc, char **argv) \
  { \
    PetscErrorCode _ierr; \
    if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1; \
    _ierr = body(); \
    if (_ierr) { \
      fprintf(stderr, "FAIL: error %d raised\n", (int)_ierr); \
      ht_test_failures++; \
    } \
    if (PetscFinalize()) return 1; \
    if (ht_test_failures) { \
      fprintf(stderr, "%d check(s) failed\n", ht_test_failures); \
      return 1; \
    } \
    if (ht_test_skip) return 77; \
    printf("PASS\n"); \
    return 0; \
  }
