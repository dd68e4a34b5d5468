#!/usr/bin/env bash
# Per-stage wall times of `hemotwin run` on a case (default: the real thorax CTA), printed as a table
# from the run's report.json. Usage: bench/pipeline/run_stages.sh [CASE.json] [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
case_file=${1:-$root/cases/thorax_cta.json}
build=${2:-$root/build}
out=$(mktemp -d /tmp/hemotwin-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
"$build/src/hemotwin" run "$case_file" --out "$out/run" --store "$out/bench.db" --quiet >/dev/null
end=$(date +%s.%N)
/usr/bin/python3 - "$out/run/report.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
total = float(sys.argv[3]) - float(sys.argv[2])
print(f"case: {r.get('case')}")
print(f"{'stage':<14}{'seconds':>10}")
for s in r["stages"]:
    print(f"{s['name']:<14}{s['seconds']:>10.2f}")
print(f"{'total (wall)':<14}{total:>10.2f}")
geo = [s['seconds'] for s in r['stages'] if s['name'] in ('segment', 'network', 'surface', 'mesh')]
print(f"segmentation+surface+centerlines+mesh: {sum(geo):.2f} s (issue 8 target < 60 s)")
PY
