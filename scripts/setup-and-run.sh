#!/usr/bin/env bash
# README command 1: install dependencies, build, and run the main job on the shipped default case
# (a synthetic aortic-coarctation CT phantom that hemotwin writes itself as a DICOM series).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
out=${1:-$root/out/phantom_coarctation}
"$root/build/src/hemotwin" run "$root/cases/phantom_coarctation.json" --out "$out" --store "$root/out/hemotwin.db"
echo "[hemotwin] results in $out (open the .vti/.vtp/.vtu/.pvd files in ParaView; report.json for the ranking)"
