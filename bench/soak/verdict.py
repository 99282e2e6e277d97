#!/usr/bin/env python3
"""bench/soak's verdict: joins the driver's figures (SoakBench.java's JSON line), its injections, the daemon's
journal and sysbench's summary into one JSON line.

A false kill is a KILLED record of the journal whose (database, thread) is not an injected connection; a miss
is an injection nobody killed within 10 s of its limit. The daemon's RSS and CPU slopes are least-squares fits
over the samples after the first minute (the JIT's warm-up), when there are enough of them.
The journal counts as read only when the command succeeded and it holds a KILLED record for every injection the
driver saw killed: an empty or partial journal would otherwise pass for "no false kills".
Usage: verdict.py DRIVER.txt INJECTIONS.tsv JOURNAL.jsonl SYSBENCH.log SYSBENCH_RC DAEMON_ALIVE DAEMON_ERRORS JOURNAL_RC"""
import json
import math
import re
import sys

WARM_UP_S = 60


def last_json(path):
    with open(path) as f:
        lines = [l for l in f if l.startswith("{")]
    return json.loads(lines[-1])


def injections(path):
    out = set()
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[1].lstrip("-").isdigit():
                out.add((cols[0], int(cols[1])))
    return out


def killed_injections(path):
    out = set()
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5 and cols[4] == "killed" and cols[1].lstrip("-").isdigit():
                out.add((cols[0], int(cols[1])))
    return out


def journal(path):
    records = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    records.append(json.loads(line))
    except FileNotFoundError:
        pass
    return records


def sysbench(path):
    text = open(path, errors="replace").read()
    out = {}
    for key, pattern in (("transactions", r"transactions:\s+(\d+)\s+\(([\d.]+) per sec"),
                         ("queries", r"queries:\s+(\d+)\s+\(([\d.]+) per sec"),
                         ("ignored_errors", r"ignored errors:\s+(\d+)"),
                         ("reconnects", r"reconnects:\s+(\d+)")):
        m = re.search(pattern, text)
        if m:
            out[key] = int(m.group(1))
            if m.lastindex and m.lastindex > 1:
                out[key + "_per_s"] = float(m.group(2))
    out["fatal_lines"] = len(re.findall(r"FATAL", text))
    out["errors"] = out["fatal_lines"] + out.get("reconnects", 0)
    return out


def slope_per_min(points):
    """Least-squares slope of (t seconds, value) points, per minute; NaN with fewer than 3 points."""
    pts = [(t, v) for t, v in points if v is not None and not math.isnan(v)]
    if len(pts) < 3:
        return float("nan")
    n = len(pts)
    mt = sum(t for t, _ in pts) / n
    mv = sum(v for _, v in pts) / n
    var = sum((t - mt) ** 2 for t, _ in pts)
    if var == 0:
        return float("nan")
    return sum((t - mt) * (v - mv) for t, v in pts) / var * 60


def main(argv):
    driver = last_json(argv[1])
    injected = injections(argv[2])
    records = journal(argv[3])
    sb = sysbench(argv[4])
    killed = [r for r in records if r.get("outcome") == "KILLED"]
    false_kills = [r for r in killed if (r.get("database"), int(r.get("thread_id", -1))) not in injected]
    killed_keys = {(r.get("database"), int(r.get("thread_id", -1))) for r in killed}
    samples = [s for s in driver.get("samples", [])]
    later = [s for s in samples if s["t_s"] >= WARM_UP_S]
    fit = later if len(later) >= 3 else samples
    out = dict(driver)
    out.update({
        "journal_records": len(records),
        "journal_kills": len(killed),
        "journal_outcomes": {o: sum(1 for r in records if r.get("outcome") == o) for o in sorted({r.get("outcome") for r in records})},
        "false_kills": len(false_kills),
        "false_kill_rules": sorted({r.get("rule", "?") for r in false_kills}),
        "injected_not_in_journal": len(injected - killed_keys),
        "journal_complete": (len(argv) < 9 or argv[8] == "0") and not (killed_injections(argv[2]) - killed_keys),
        "sysbench": sb,
        "sysbench_rc": int(argv[5]),
        "daemon_alive_at_end": argv[6] == "true",
        "daemon_log_errors": int(argv[7]),
        "slope_from_s": fit[0]["t_s"] if fit else None,
        "rss_slope_mb_per_min": slope_per_min([(s["t_s"], s["rss_mb"]) for s in fit]),
        "cpu_slope_points_per_min": slope_per_min([(s["t_s"], s["cpu_share"] * 100 if s["cpu_share"] is not None else None) for s in fit]),
    })
    print(json.dumps(out, allow_nan=True))


if __name__ == "__main__":
    main(sys.argv)
