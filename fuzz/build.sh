#!/bin/sh
# Build the libFuzzer targets (not part of the default build): fuzz/build.sh [BUILD_DIR]
#   BUILD_DIR/fuzz_dicom  the DICOM reader          seeds: BUILD_DIR/seeds_dicom (torture set + series slices)
#   BUILD_DIR/fuzz_case   the case-file parser      seeds: BUILD_DIR/seeds_case  (case files of the repo)
# Run: fuzz/run.sh (or e.g. BUILD_DIR/fuzz_dicom -max_total_time=600 -rss_limit_mb=2048 BUILD_DIR/corpus_dicom BUILD_DIR/seeds_dicom)
# Needs clang with libFuzzer (Debian: clang) and the project's -dev packages.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$SRC/build-fuzz}
mkdir -p "$OUT/obj"
PETSC_DIR=${PETSC_DIR:-/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real}
MPI_INC=$(pkg-config --cflags-only-I ompi 2>/dev/null || echo "-I/usr/lib/x86_64-linux-gnu/openmpi/include -I/usr/lib/x86_64-linux-gnu/openmpi/include/openmpi")
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
INC="-I$SRC/core -I$SRC/imaging/volume -I$SRC/imaging/dicom -I$SRC/src -I/usr/include/openjpeg-2.5 -isystem $PETSC_DIR/include $MPI_INC"
CF="-g -O1 -D_DEFAULT_SOURCE -DHT_DEFAULT_DATA_DIR=\"$SRC/../shared/data\" $SAN $INC"
cc() { clang -std=c11 $CF -c "$1" -o "$OUT/obj/$(basename "$1").o"; }
cxx() { clang++ -std=gnu++17 $CF -c "$1" -o "$OUT/obj/$(basename "$1").o"; }
cc "$SRC/core/htcore.c"
cc "$SRC/imaging/volume/volume.c"
cc "$SRC/imaging/dicom/meta.c"
cc "$SRC/imaging/dicom/sha256.c"
cxx "$SRC/imaging/dicom/dicom.cxx"
cc "$SRC/src/case.c"
cxx "$SRC/fuzz/fuzz_dicom.cxx"
cc "$SRC/fuzz/fuzz_case.c"
LIBS="-L$PETSC_DIR/lib -lpetsc_real $(pkg-config --libs ompi 2>/dev/null || echo -lmpi) -lm"
DCM="-ldcmjpls -ldcmjpeg -lijg8 -lijg12 -lijg16 -ldcmimage -ldcmimgle -ldcmdata -loflog -lofstd -lopenjp2 -lz"
O=$OUT/obj
clang++ -fsanitize=fuzzer,address,undefined -o "$OUT/fuzz_dicom" $O/fuzz_dicom.cxx.o $O/dicom.cxx.o $O/meta.c.o $O/sha256.c.o $O/volume.c.o $O/htcore.c.o $DCM $LIBS
clang++ -fsanitize=fuzzer,address,undefined -o "$OUT/fuzz_case" $O/fuzz_case.c.o $O/case.c.o $O/htcore.c.o -lcjson $LIBS
# seeds: the torture set, a few series slices, and the repo's case files (copied into the build dir,
# never into the repository)
DATA=${HEMOTWIN_DATA:-$SRC/../shared/data}
mkdir -p "$OUT/seeds_dicom" "$OUT/seeds_case" "$OUT/corpus_dicom" "$OUT/corpus_case"
cp "$DATA"/dicom/torture/*.dcm "$OUT/seeds_dicom/" 2>/dev/null || true
for d in "$DATA"/dicom/series_*; do
  f=$(find "$d" -type f -name '*.dcm' | sort | head -1); [ -n "$f" ] && cp "$f" "$OUT/seeds_dicom/$(basename "$d").dcm"
done
find "$SRC" -path "$SRC/build*" -prune -o -name '*.json' -print | while read -r j; do
  if grep -q '"input"' "$j" 2>/dev/null; then cp "$j" "$OUT/seeds_case/$(echo "$j" | tr / _)"; fi
done
cp "$SRC"/fuzz/regress_case/* "$OUT/seeds_case/" 2>/dev/null || true
echo "built $OUT/fuzz_dicom $OUT/fuzz_case; seeds: $(ls "$OUT/seeds_dicom" | wc -l) DICOM, $(ls "$OUT/seeds_case" | wc -l) case files"
