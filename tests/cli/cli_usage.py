#!/usr/bin/env python3
"""hemotwin command line: --help/--version exit 0; a missing/unknown subcommand or option is a usage
error (exit 2); an error inside a command is exactly one line 'hemotwin: error: ...' with exit 1."""
import os, subprocess, sys, tempfile

exe = sys.argv[1]
fails = 0


def run(args, env=None):
    p = subprocess.run([exe] + args, capture_output=True, text=True, timeout=60, env=env)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails += 1


rc, out, err = run(["--help"])
check(rc == 0 and "usage: hemotwin" in out and "run CASE.json" in out, "--help: exit 0 and usage on stdout (rc %d)" % rc)
rc, out, err = run(["--version"])
check(rc == 0 and out.startswith("hemotwin "), "--version: exit 0, '%s'" % out.strip())
rc, out, err = run([])
check(rc == 2 and "usage" in err, "no subcommand: exit 2 (rc %d)" % rc)
rc, out, err = run(["frobnicate"])
check(rc == 2 and "unknown command 'frobnicate'" in err, "unknown subcommand: exit 2 (rc %d) %s" % (rc, err.splitlines()[:1]))
rc, out, err = run(["run", "x.json", "--out", "o", "--bogus"])
check(rc == 2 and "unknown option --bogus" in err, "unknown option: exit 2 (rc %d)" % rc)
rc, out, err = run(["run", "x.json"])
check(rc == 2 and "--out DIR is required" in err, "run without --out: exit 2 (rc %d)" % rc)
rc, out, err = run(["store"])
check(rc == 2, "store without action: exit 2 (rc %d)" % rc)
rc, out, err = run(["dicom"])
check(rc == 2 and "'info'" in err, "dicom without action: exit 2 (rc %d)" % rc)
rc, out, err = run(["phantom", "--out", "x", "--seed", "abc"])
check(rc == 2 and "--seed" in err, "phantom --seed abc: exit 2 (rc %d)" % rc)

with tempfile.TemporaryDirectory(dir=os.getcwd()) as tmp:
    # A command that fails inside: one line, exit 1, no PETSc traceback.
    rc, out, err = run(["run", os.path.join(tmp, "missing.json"), "--out", os.path.join(tmp, "o"), "--store", os.path.join(tmp, "s.db")])
    lines = err.strip().splitlines()
    check(rc == 1 and len(lines) == 1 and lines[0].startswith("hemotwin: error: ") and "missing.json" in lines[0],
          "missing case file: exit 1, one line: %s" % lines)
    check(not os.path.exists(os.path.join(tmp, "s.db")), "missing case file: no store created")
    rc, out, err = run(["store", "list", "--store", os.path.join(tmp, "none.db")])
    lines = err.strip().splitlines()
    check(rc == 1 and len(lines) == 1 and "none.db" in lines[0] and "does not exist" in lines[0], "store list on a missing store: %s" % lines)
    check(not os.path.exists(os.path.join(tmp, "none.db")), "store list created no store")
    # -ht_traceback adds PETSc's traceback (more than one line).
    rc, out, err = run(["run", os.path.join(tmp, "missing.json"), "--out", os.path.join(tmp, "o"), "-ht_traceback"])
    check(rc == 1 and len(err.strip().splitlines()) > 1, "-ht_traceback prints PETSc's traceback (%d lines)" % len(err.strip().splitlines()))
    # PETSc options after the subcommand are accepted (not usage errors).
    rc, out, err = run(["run", os.path.join(tmp, "missing.json"), "--out", os.path.join(tmp, "o"), "-zerod_ts_type", "alpha_sv", "-snes_rtol", "1e-8"])
    check(rc == 1 and "missing.json" in err, "PETSc options pass through (rc %d)" % rc)

print("%d check(s) failed" % fails if fails else "PASS")
sys.exit(1 if fails else 0)
