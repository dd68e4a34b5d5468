#!/bin/sh
# Run the fuzz targets built by fuzz/build.sh: fuzz/run.sh TARGET SECONDS [BUILD_DIR]
# TARGET: dicom | case. Phase 1 fuzzes for SECONDS with ASan+UBSan (leak checks off: the per-input
# leak check with full stacks is ~10x slower); phase 2 re-runs the whole corpus with leak checks on
# (MPI/PETSc start-up leaks suppressed by fuzz/lsan.supp). Crashes land in BUILD_DIR/artifacts_TARGET/.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$1; SECS=${2:-600}; OUT=${3:-$SRC/build-fuzz}
B=$OUT/fuzz_$T
mkdir -p "$OUT/corpus_$T" "$OUT/artifacts_$T"
DICT=""
[ -f "$SRC/fuzz/$T.dict" ] && DICT="-dict=$SRC/fuzz/$T.dict"
cd "$OUT"
ASAN_OPTIONS=detect_leaks=0 "$B" -max_total_time="$SECS" -detect_leaks=0 -max_len=300000 -rss_limit_mb=2048 -timeout=30 $DICT \
     -artifact_prefix="$OUT/artifacts_$T/" "$OUT/corpus_$T" "$OUT/seeds_$T" 2>&1 | grep -E "INITED|DONE|ERROR|SUMMARY|Test unit|stat::" || true
n=$(ls "$OUT/corpus_$T" | wc -l)
LSAN_OPTIONS=suppressions=$SRC/fuzz/lsan.supp:fast_unwind_on_malloc=0 \
  "$B" -runs=0 -print_final_stats=1 -rss_limit_mb=2048 -timeout=30 -artifact_prefix="$OUT/artifacts_$T/leak-" "$OUT/corpus_$T" 2>&1 | grep -E "INITED|DONE|ERROR|SUMMARY|Test unit" || true
echo "corpus $n inputs; artifacts: $(ls "$OUT/artifacts_$T" | wc -l)"
