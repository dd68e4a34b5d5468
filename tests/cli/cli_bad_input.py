#!/usr/bin/env python3
"""Bad input to `hemotwin run`: an empty folder, a non-DICOM file, a series with a missing slice, and
malformed case files (unknown key, wrong type, not JSON). Each must exit non-zero with ONE stderr line
naming the problem, leave no report.json (a stale one from an earlier run is removed), and leave the
store byte-for-byte unchanged (also compared through `store list --json`).
usage: cli_bad_input.py HEMOTWIN WORKDIR"""
import json, os, shutil, struct, subprocess, sys

exe, work = sys.argv[1], sys.argv[2]
fails = 0


def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        fails += 1


def run(args, timeout=600):
    p = subprocess.run([exe] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def slice_z(path):
    """z of ImagePositionPatient (0020,0032), read from the raw explicit-VR little-endian bytes
    (independent of hemotwin's DICOM reader)."""
    b = open(path, "rb").read()
    i = b.find(b"\x20\x00\x32\x00DS")
    if i < 0:
        return None
    n = struct.unpack("<H", b[i + 6:i + 8])[0]
    return float(b[i + 8:i + 8 + n].decode().strip("\x00 ").split("\\")[2])


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
store = os.path.join(work, "store.db")
key = os.path.join(work, "store.key")

# A valid series, imported so the store is not empty.
phantom = os.path.join(work, "phantom")
rc, out, err = run(["phantom", "--out", phantom, "--quiet"])
check(rc == 0, "phantom written (rc %d) %s" % (rc, err.strip()[-200:]))
rc, out, err = run(["import", phantom, "--store", store, "--key", key, "--quiet"])
check(rc == 0, "phantom imported (rc %d) %s" % (rc, err.strip()[-200:]))
rc, list_before, err = run(["store", "list", "--json", "--store", store, "--key", key])
check(rc == 0 and list_before.strip() != "", "store list --json works (rc %d)" % rc)
db_before = open(store, "rb").read()

# The bad folders.
empty = os.path.join(work, "empty")
os.makedirs(empty)
junk = os.path.join(work, "junk")
os.makedirs(junk)
with open(os.path.join(junk, "notes.txt"), "w") as f:
    f.write("this is not a DICOM file\n" * 20)
gap = os.path.join(work, "gap")
shutil.copytree(phantom, gap)
files = sorted((slice_z(os.path.join(gap, f)), f) for f in os.listdir(gap) if slice_z(os.path.join(gap, f)) is not None)
mid = files[len(files) // 2]
os.remove(os.path.join(gap, mid[1]))
print("missing-slice series: %d files, removed the slice at z = %.2f mm" % (len(files) - 1, mid[0]))


def case_file(name, text):
    p = os.path.join(work, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def good_case(dicom):
    return json.dumps({"case": "bad_input", "input": {"dicom": dicom},
                       "candidates": [{"name": "baseline", "type": "baseline"}]})


cases = [
    ("empty folder", case_file("empty.json", good_case(empty)), ["empty"]),
    ("non-DICOM file", case_file("junk.json", good_case(junk)), ["junk"]),
    ("missing slice", case_file("gap.json", good_case(gap)), ["gap", "slice"]),
    ("unknown key", case_file("unknown_key.json", '{"case": "x", "input": {"dicom": "%s"}, "physiology": {"heart_rate": 70}}' % phantom),
     ["unknown_key.json", "physiology.heart_rate", "unknown key", "heart_rate_bpm"]),
    ("wrong type", case_file("wrong_type.json", '{"case": "x", "input": {"dicom": "%s"}, "candidates": [{"name": "b", "type": "baseline"}, {"name": "s", "type": "stent"}, {"name": "g", "type": "bypass", "radius_mm": "six"}]}' % phantom),
     ["wrong_type.json", "candidates[2].radius_mm", "expected a number"]),
    ("not JSON", case_file("not_json.json", "case = phantom\n[input]\n"), ["not_json.json", "not valid JSON"]),
    # settings only the planning stage uses must still fail before any stage touches the store
    ("unknown metric", case_file("bad_metric.json", '{"case": "x", "input": {"dicom": "%s"}, "scoring": {"weights": {"pressure_drop_mmHg": 1}}}' % phantom),
     ["bad_metric.json", "scoring.weights.pressure_drop_mmHg", "not a scorable metric"]),
    ("one cycle", case_file("one_cycle.json", '{"case": "x", "input": {"dicom": "%s"}, "simulation": {"max_cycles": 1}}' % phantom),
     ["one_cycle.json", "simulation.max_cycles", "out of range"]),
]
for what, case, needles in cases:
    out_dir = os.path.join(work, "out_" + os.path.basename(case)[:-5])
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "report.json"), "w") as f:  # a stale report of an "earlier run"
        f.write('{"status": "ok"}\n')
    rc, out, err = run(["run", case, "--out", out_dir, "--store", store, "--key", key, "--quiet"])
    lines = [l for l in err.splitlines() if l.strip()]
    msg = lines[0] if lines else ""
    print("%-15s rc %d: %s" % (what, rc, msg))
    check(rc == 1, "%s: exit code 1 (got %d)" % (what, rc))
    check(len(lines) == 1 and msg.startswith("hemotwin: error: "), "%s: exactly one error line (%d lines)" % (what, len(lines)))
    low = msg.lower()
    check(all(n.lower() in low for n in needles), "%s: message names %s" % (what, needles))
    stale_gone = not os.path.exists(os.path.join(out_dir, "report.json"))
    check(stale_gone, "%s: no report.json claiming success left" % what)
    check(open(store, "rb").read() == db_before, "%s: store bytes unchanged" % what)

rc, list_after, err = run(["store", "list", "--json", "--store", store, "--key", key])
check(rc == 0 and list_after == list_before, "store list --json unchanged after all bad inputs")
print("%d check(s) failed" % fails if fails else "PASS")
sys.exit(1 if fails else 0)
