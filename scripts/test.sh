#!/usr/bin/env bash
# README command 2: build (if needed) and run the whole test suite, MPI tests included.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HT_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
ctest --test-dir "$build" --output-on-failure -j "${HT_TEST_JOBS:-2}" "$@"
