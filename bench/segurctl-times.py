#!/usr/bin/env python3
"""segurctl-times.py: the commands a user types, timed side by side.

Usage: segurctl-times.py RUNS LABEL=SEGURCTL:LEDGER [LABEL=SEGURCTL:LEDGER ...]

Runs each command of COMMANDS with every build given, alternately (build A,
build B, build A, ...), RUNS times each, and prints the median and the
slowest wall-clock time of each, in milliseconds, one row per command. The
whole process is timed: start, opening the ledger, the query and the
output written to /dev/null, as a user waits for it. Alternating the builds
spreads the machine's own variations over both.

Run by scripts/bench; also by hand on any two ledgers of the same content.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The user's commands; {db} is the ledger. A reference and a numeroASP that
# bench-ledger generates exist at every size.
COMMANDS = [
    ("status", ["status"]),
    ("status --json", ["status", "--json"]),
    ("request list --state rejected", ["request", "list", "--state", "rejected"]),
    ("request list --state accepted", ["request", "list", "--state", "accepted"]),
    ("request list --state advance_paid",
     ["request", "list", "--state", "advance_paid"]),
    ("request list --state advance_paid --json",
     ["request", "list", "--state", "advance_paid", "--json"]),
    ("request list --state closed --limit 50",
     ["request", "list", "--state", "closed", "--limit", "50"]),
    ("request show BC-0000001", ["request", "show", "BC-0000001"]),
    ("request show --json BC-0050000",
     ["request", "show", "--json", "BC-0050000"]),
    ("request history BC-0000001", ["request", "history", "BC-0000001"]),
    ("report --html", ["report", "--html",
                       os.path.join(tempfile.gettempdir(),
                                    "segur-bench-report.html")]),
]


def run_once(segurctl, db, args):
    argv = [segurctl] + args + ["--db", db]
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    t = (time.perf_counter() - t0) * 1000.0
    return t, p.returncode, p.stderr.decode(errors="replace").strip()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    builds = []
    for spec in sys.argv[2:]:
        label, rest = spec.split("=", 1)
        segurctl, db = rest.split(":", 1)
        builds.append((label, segurctl, db))
    head = "%-44s" % "command"
    for label, _, _ in builds:
        head += " %18s" % (label + " median/max")
    print(head)
    for name, args in COMMANDS:
        times = {b[0]: [] for b in builds}
        failed = {}
        for _ in range(runs):
            for label, segurctl, db in builds:
                t, rc, err = run_once(segurctl, db, args)
                if rc != 0:
                    failed[label] = err.splitlines()[-1] if err else \
                        "exit %d" % rc
                times[label].append(t)
        row = "%-44s" % name
        for label, _, _ in builds:
            if label in failed:
                row += " %18s" % "fails"
            else:
                v = times[label]
                row += " %9.1f/%-8.1f" % (statistics.median(v), max(v))
        print(row, flush=True)
        for label, why in failed.items():
            print("    %s: %s" % (label, why[:150]))


if __name__ == "__main__":
    main()
