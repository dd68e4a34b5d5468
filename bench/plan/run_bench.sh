#!/bin/sh
# Planning benchmark: 8 candidates x 256 paired samples on 0104_0001 (bench/plan/plan_bench_0104.json),
# timed on 1 and 2 ranks. Usage: run_bench.sh BUILD_DIR [OUT_DIR]; needs HEMOTWIN_DATA or ../shared/data.
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_bench.sh BUILD_DIR [OUT_DIR]}
out=${2:-plan_bench_out}
exe="$build/bench/plan/ht_plan_run"
mpi=${MPIEXEC:-mpiexec}
for n in 1 2; do
  "$mpi" ${MPIEXEC_FLAGS} -n $n "$exe" "$here/plan_bench_0104.json" --out "$out/np$n"
done
