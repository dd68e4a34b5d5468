#!/bin/sh
# CI fuzz smoke: build both targets and fuzz each for SECONDS (default 60); non-zero exit if a
# crash, sanitizer report or leak artifact was produced. fuzz/smoke.sh [SECONDS] [BUILD_DIR]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
S=${1:-60}; OUT=${2:-$SRC/build-fuzz}
"$SRC/fuzz/build.sh" "$OUT"
rc=0
for t in dicom case; do
  rm -rf "$OUT/artifacts_$t"
  "$SRC/fuzz/run.sh" "$t" "$S" "$OUT"
  bad=$(ls "$OUT/artifacts_$t" 2>/dev/null | grep -v '^leak-slow-unit\|^slow-unit' | wc -l)
  if [ "$bad" -ne 0 ]; then echo "fuzz_$t: $bad failing input(s) in $OUT/artifacts_$t"; rc=1; fi
done
exit $rc
