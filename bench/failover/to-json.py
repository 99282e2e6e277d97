#!/usr/bin/env python3
"""Turns the failover bench's text figures (bench/failover/run.sh) into one JSON line for bench/run-all's
report: every rolling-restart and crash gap in the order the events happened, and the summary.
Usage: to-json.py FIGURES.txt [process|inprocess]"""
import json
import re
import sys


def parse(text, mode):
    out = {"bench": "failover", "mode": mode, "rolling_gaps_ms": [], "crash_gaps_ms": []}
    for line in text.splitlines():
        m = re.match(r".*session timeout PT(\d+(?:\.\d+)?)S.*tickTime (\d+) ms\), (\d+) repetitions", line)
        if m:
            out["session_s"] = float(m.group(1))
            out["tick_ms"] = int(m.group(2))
            out["reps"] = int(m.group(3))
        m = re.match(r"rolling rep\s+\d+: gaps ms \[(.*)\]", line)
        if m:
            out["rolling_gaps_ms"] += [int(v) for v in m.group(1).split(",") if v.strip()]
        m = re.match(r"crash rep\s+\d+: gap ms (\d+)", line)
        if m:
            out["crash_gaps_ms"].append(int(m.group(1)))
        m = re.match(r"apparent overlaps.*: (\d+), longest ([\d.]+) ms", line)
        if m:
            out["overlaps"] = int(m.group(1))
            out["overlap_longest_ms"] = float(m.group(2))
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(parse(f.read(), sys.argv[2] if len(sys.argv) > 2 else "process")))
