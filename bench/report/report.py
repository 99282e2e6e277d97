#!/usr/bin/python3
"""Writes bench/run-all's report from its raw JSON lines alone, so the report can be remade without rerunning:

    /usr/bin/python3 bench/report/report.py RAW.jsonl [OUT-DIR (the folder of RAW.jsonl)]

One JSON object per line, as the bench scripts append them to $QS_BENCH_JSON ("bench": precision, storm, fleet,
failover, journal, fingerprint, soak) plus run-all's own "meta" and "part" lines. Writes OUT-DIR/report.md and
its PNG plots (Debian's python3-matplotlib). Every speed claim is a ratio to pt-kill (or pt-fingerprint) measured
in the same run, and every figure over repetitions is their median (the range in brackets)."""
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
import matplotlib.ticker  # noqa: E402

QS, PT = "query-sniper", "pt-kill"
COLORS = {QS: "tab:blue", PT: "tab:orange"}


# ---------------------------------------------------------------- small helpers

def num(v):
    return v is not None and isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v))


def med(values):
    values = [v for v in values if num(v)]
    return statistics.median(values) if values else float("nan")


def pct(values, p):
    values = sorted(v for v in values if num(v))
    if not values:
        return float("nan")
    i = max(0, min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1))
    return values[i]


def fmt(v, unit="", digits=0):
    if not num(v):
        return "-"
    return f"{v:,.{digits}f}{unit}".replace(",", " ")


def med_range(values, unit="", digits=0):
    """'median (min-max)' over repetitions, or the one value."""
    values = [v for v in values if num(v)]
    if not values:
        return "-"
    if len(values) == 1:
        return fmt(values[0], unit, digits)
    return f"{fmt(med(values), unit, digits)} ({fmt(min(values), '', digits)}-{fmt(max(values), '', digits)})"


def ratio(a, b, digits=1):
    return f"{a / b:.{digits}f}x" if num(a) and num(b) and b > 0 else "-"


def verdict(ok):
    return "met" if ok else "**missed**"


class Report:
    def __init__(self, rows, out):
        self.rows = rows
        self.out = out
        self.md = []
        self.targets = []  # (what, target, figure, met)

    def of(self, bench):
        return [r for r in self.rows if r.get("bench") == bench]

    def line(self, text=""):
        self.md.append(text)

    def table(self, header, rows):
        self.line("| " + " | ".join(header) + " |")
        self.line("|" + "---|" * len(header))
        for r in rows:
            self.line("| " + " | ".join(str(c) for c in r) + " |")
        self.line()

    def plot(self, fig, name, caption):
        path = os.path.join(self.out, name)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        self.line(f"![{caption}]({name})")
        self.line()

    def target(self, what, target, figure, met):
        self.targets.append((what, target, figure, met))


# ---------------------------------------------------------------- sections

def meta(r):
    metas = r.of("meta")
    parts = r.of("part")
    r.line("# Query Sniper against pt-kill: benchmark report")
    r.line()
    r.line("Written by `bench/report/report.py` from `raw.jsonl` alone (`bench/run-all` runs the benchmarks and")
    r.line("calls it; `/usr/bin/python3 bench/report/report.py bench/raw.jsonl` remakes this page without rerunning).")
    r.line("Speed is given as ratios to the peer measured in the same run on the same machine, and figures")
    r.line("over repetitions as medians with their range in brackets.")
    r.line()
    if metas:
        m = metas[-1]
        if m.get("quick"):
            r.line("**Quick run (`--quick`): tiny sizes to test the pipeline; these figures mean nothing.**")
            r.line()
        r.table(["machine", "value"], [[k, v] for k, v in m.items() if k not in ("bench", "quick")])
    if parts:
        r.line("Parts, budget and time taken:")
        r.line()
        r.table(["part", "command", "budget", "took", "exit"],
                [[p.get("part"), f"`{p.get('command', '')}`", fmt(p.get("budget_s"), " s"), fmt(p.get("took_s"), " s"),
                  p.get("rc")] for p in parts])


def precision(r):
    runs = r.of("precision")
    r.line("## 1. Kill precision")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line(f"`bench/precision/run.sh N IDLE all`, {len(runs)} run(s): one throwaway mariadbd, the daemon (`busy-time = 3s`,")
    r.line("`interval = 1s`) and `pt-kill --interval 1 --busy-time 3 --kill-query` side by side, each tool its own victim")
    r.line("user. Sparse: one victim per tool every 370 ms; dense: all victims' starts within 3 s. Overshoot = time of")
    r.line("death (client side) - start - 3 s. Per phase: the median over runs of each run's p50 / p95 / max.")
    r.line()
    phases = []
    for run in runs:
        for k, v in run.items():
            if isinstance(v, dict) and "qs" in v and k not in phases:
                phases.append(k)
    rows = []
    for ph in phases:
        per = [run[ph] for run in runs if ph in run]
        cells = [ph]
        for tool in ("qs", "pt"):
            figs = [p[tool] for p in per if tool in p]
            cells.append(" / ".join(med_range([f.get(s) for f in figs]) for s in ("p50_ms", "p95_ms", "max_ms")) + " ms")
            cells.append(sum(f.get("misses", 0) for f in figs))
        q50 = med([p["qs"].get("p50_ms") for p in per if "qs" in p])
        p50 = med([p["pt"].get("p50_ms") for p in per if "pt" in p])
        cells.append(ratio(p50, q50))
        rows.append(cells)
        if ph.startswith("dense") and ph != "dense-sleep":
            q95 = med([p["qs"].get("p95_ms") for p in per])
            qmax = med([p["qs"].get("max_ms") for p in per])
            r.target(f"precision {ph}: p50 <= 5 ms, p95 <= 20 ms, max <= 50 ms (issue 8)", "5 / 20 / 50 ms",
                     f"{fmt(q50)} / {fmt(q95)} / {fmt(qmax)} ms", num(q50) and q50 <= 5 and q95 <= 20 and qmax <= 50)
    r.table(["victims", "query-sniper p50 / p95 / max", "misses", "pt-kill p50 / p95 / max", "misses", "pt-kill p50 / query-sniper p50"], rows)
    fk_qs = sum(run.get("false_kills_qs", 0) for run in runs)
    fk_pt = sum(run.get("false_kills_pt", 0) for run in runs)
    idle = [run.get("idle_statements_per_s") for run in runs]
    r.line(f"False kills (a victim user's own 1.5 s queries): query-sniper {fk_qs}, pt-kill {fk_pt}; other user's "
           f"bystanders killed: {sum(run.get('false_kills', 0) for run in runs) - fk_qs - fk_pt}. Idle polling: "
           f"{med_range(idle, '', 2)} statements per second per server.")
    r.line()
    r.target("precision: false kills of query-sniper", "0", str(fk_qs), fk_qs == 0)
    r.target("idle polling, statements per second per server", "<= 1.0", med_range(idle, "", 2), num(med(idle)) and med(idle) <= 1.0)

    cols = min(3, len(phases))
    rows_n = math.ceil(len(phases) / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(4.2 * cols, 3.3 * rows_n), squeeze=False)
    for ax, ph in zip(axes.flat, phases):
        for tool, name in (("qs", QS), ("pt", PT)):
            values = sorted(v for run in runs if ph in run and tool in run[ph] for v in run[ph][tool].get("overshoots_ms", []) if num(v))
            if values:
                ax.step([values[0]] + values, [0] + [(i + 1) / len(values) for i in range(len(values))], where="post",
                        color=COLORS[name], label=f"{name} (n={len(values)})")
        ax.set_title(ph, fontsize=10)
        ax.set_xlabel("overshoot (ms)")
        ax.set_ylabel("share of victims dead")
        ax.set_ylim(0, 1.02)
        ax.set_xscale("symlog", linthresh=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(phases):]:
        ax.axis("off")
    r.plot(fig, "precision-overshoot.png", "overshoot distributions, both tools, every run pooled")


def storm(r):
    runs = r.of("storm")
    r.line("## 2. Kill storms")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line("`bench/storm/run.sh L S REPS`: L row-lock victims (and S `SLEEP` victims) cross the 3 s limit within 100 ms;")
    r.line("time of death after the limit, per repetition, each tool its own storm in the same run.")
    r.line()
    rows = []
    variants = [v for v in ("row-lock", "sleep") if any(v in run for run in runs)]
    for v in variants:
        reps = [(i, j) for i, run in enumerate(runs) if v in run for j in range(len(run[v].get("qs", [])))]
        for i, j in reps:
            q = runs[i][v]["qs"][j]
            p = runs[i][v].get("pt", [None] * (j + 1))[j]
            rows.append([f"{runs[i][v]['victims']} {v}", f"{i + 1}.{j + 1}",
                         f"{fmt(q['p50_ms'])} / {fmt(q['p95_ms'])} / {fmt(q['last_ms'])} ms, {q['misses']} missed",
                         f"{fmt(p['p50_ms'])} / {fmt(p['p95_ms'])} / {fmt(p['last_ms'])} ms, {p['misses']} missed" if p else "-",
                         ratio(p["last_ms"], q["last_ms"], 2) if p else "-"])
        q_last = [runs[i][v]["qs"][j]["last_ms"] for i, j in reps]
        p_last = [runs[i][v]["pt"][j]["last_ms"] for i, j in reps if "pt" in runs[i][v]]
        rows.append([f"**{v}, median**", "", f"last {med_range(q_last, ' ms')}", f"last {med_range(p_last, ' ms')}",
                     ratio(med(p_last), med(q_last), 2)])
        if v == "row-lock":
            r.target("storm row-lock: last victim dead <= 250 ms after the limit (issue 8)", "250 ms", med_range(q_last, " ms"),
                     num(med(q_last)) and med(q_last) <= 250)
        misses = sum(runs[i][v]["qs"][j]["misses"] for i, j in reps)
        r.target(f"storm {v}: query-sniper misses", "0", str(misses), misses == 0)
    r.table(["storm", "run.rep", "query-sniper p50 / p95 / last", "pt-kill p50 / p95 / last", "pt-kill last / query-sniper last"], rows)

    fig, axes = plt.subplots(1, len(variants), figsize=(6 * len(variants), 3.8), squeeze=False)
    for ax, v in zip(axes.flat, variants):
        for run in runs:
            if v not in run:
                continue
            for tool, name in (("qs", QS), ("pt", PT)):
                for j, f in enumerate(run[v].get(tool, [])):
                    d = sorted(x for x in f.get("deaths_ms", []) if num(x))
                    if not d:
                        continue
                    n = f["victims"]
                    xs = [0.0] + d
                    ys = [n] + [n - k - 1 for k in range(len(d))]
                    ax.step(xs, ys, where="post", color=COLORS[name], alpha=0.45 + 0.5 / (j + 1),
                            label=name if j == 0 and run is runs[0] else None)
        ax.set_title(f"{v} storm: victims alive after the limit", fontsize=10)
        ax.set_xlabel("time after the 3 s limit (ms)")
        ax.set_ylabel("victims alive")
        ax.set_xscale("symlog", linthresh=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    r.plot(fig, "storm-death-curves.png", "storm death curves, every repetition")


def fleet(r):
    runs = sorted(r.of("fleet"), key=lambda x: x["databases"])
    r.line("## 3. Fleet scale")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line("`bench/fleet/run.sh N K`: one node watching N databases on K throwaway servers (50 idle application sessions")
    r.line("each), interval 1 s, nothing near a limit. CPU: share of one core over the window (the range of its")
    r.line("per-second shares in brackets); RSS and threads: the window's largest. pt-kill: one process per database (it watches")
    r.line("one server per process), measured on up to 10 processes on servers holding the same process lists and")
    r.line("scaled to N (per process figures times N).")
    r.line()
    rows = []
    for f in runs:
        q, p = f["qs"], f.get("pt")
        # The window's mean: a per-second share moves in steps of one clock tick (1% of a core), too coarse for a
        # median of pt-kill's processes, which mostly take less than a tick per second.
        qcpu = q["cpu_share"]
        pcpu = p["cpu_share_scaled"] if p else float("nan")
        qs_series = [v for v in q.get("cpu_series", []) if num(v)]
        spread = f" ({fmt(min(qs_series) * 100, '', 1)}-{fmt(max(qs_series) * 100, '%', 1)} per second)" if qs_series else ""
        rows.append([f"{f['databases']} on {f['servers']}", f"{fmt(qcpu * 100, '%', 1)}{spread}",
                     fmt(q["rss_mb"], " MB"), q["threads"], fmt(q["statements_per_db_per_s"], "", 2),
                     f"{fmt(pcpu * 100, '%', 1)}" if p else "-", fmt(p["rss_mb_scaled"], " MB") if p else "-",
                     fmt(p["statements_per_db_per_s"], "", 2) if p else "-",
                     ratio(pcpu, qcpu) if p else "-", ratio(p["rss_mb_scaled"], q["rss_mb"]) if p else "-",
                     f"{q['owned']}/{f['databases']}"])
        if f["databases"] >= 1000:
            r.target("fleet 1,000: CPU < 10% of a core, RSS < 512 MB, <= 1.05 statements per db per s (issue 8)",
                     "10% / 512 MB / 1.05", f"{fmt(qcpu * 100, '%', 1)} / {fmt(q['rss_mb'], ' MB')} / {fmt(q['statements_per_db_per_s'], '', 2)}",
                     qcpu < 0.10 and q["rss_mb"] < 512 and q["statements_per_db_per_s"] <= 1.05)
    r.table(["databases", "query-sniper CPU", "RSS", "threads", "statements per db per s", "pt-kill CPU (scaled)",
             "pt-kill RSS (scaled)", "pt-kill polls per db per s", "CPU ratio pt / qs", "RSS ratio pt / qs", "owned"], rows)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    ns = [f["databases"] for f in runs]
    qc = [f["qs"]["cpu_share"] * 100 for f in runs]
    a1.plot(ns, qc, "o-", color=COLORS[QS], label=QS)
    a2.plot(ns, [f["qs"]["rss_mb"] for f in runs], "o-", color=COLORS[QS], label=QS)
    pr = [f for f in runs if f.get("pt")]
    if pr:
        a1.plot([f["databases"] for f in pr], [f["pt"]["cpu_share_scaled"] * 100 for f in pr], "s--", color=COLORS[PT],
                label=f"{PT}, one process per database (scaled)")
        a2.plot([f["databases"] for f in pr], [f["pt"]["rss_mb_scaled"] for f in pr], "s--", color=COLORS[PT],
                label=f"{PT} (scaled)")
    for ax, label in ((a1, "CPU, % of one core"), (a2, "RSS (MB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("databases watched")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    r.plot(fig, "fleet-cpu-memory.png", "CPU and memory against the number of databases")


def failover(r):
    runs = sorted(r.of("failover"), key=lambda x: x.get("session_s", 0))
    r.line("## 4. Failover and rolling restart")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line("`bench/failover/run.sh REPS T 500 process`: three node JVMs, 9 databases, a 3-server ZooKeeper ensemble")
    r.line("(tickTime 500 ms); the gap is the time a database has no node allowed to kill. Rolling restart: SIGTERM and")
    r.line("restart of each node in turn; crash: `kill -9` (the gap lasts until the session expires).")
    r.line()
    rows = []
    for f in runs:
        t = f.get("session_s")
        rg, cg = f.get("rolling_gaps_ms", []), f.get("crash_gaps_ms", [])
        rows.append([f"{fmt(t)} s", len(rg), f"{fmt(med(rg))} / {fmt(max(rg) if rg else float('nan'))} ms", len(cg),
                     f"{fmt(med(cg))} / {fmt(max(cg) if cg else float('nan'))} ms", f"{fmt(t * 1000 + 1000)} ms", f.get("overlaps", "-")])
        r.target(f"failover T = {fmt(t)} s: rolling gap p50 <= 200 ms, max <= 1 s", "200 / 1000 ms",
                 f"{fmt(med(rg))} / {fmt(max(rg) if rg else float('nan'))} ms", bool(rg) and med(rg) <= 200 and max(rg) <= 1000)
        r.target(f"failover T = {fmt(t)} s: crash gap <= T + 1 s", f"{fmt(t * 1000 + 1000)} ms",
                 f"max {fmt(max(cg) if cg else float('nan'))} ms", bool(cg) and max(cg) <= t * 1000 + 1000)
    r.table(["session timeout T", "rolling events", "rolling gap p50 / max", "crashes", "crash gap p50 / max", "crash target (T + 1 s)",
             "apparent overlaps"], rows)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    for f in runs:
        label = f"T = {fmt(f.get('session_s'))} s"
        rg, cg = f.get("rolling_gaps_ms", []), f.get("crash_gaps_ms", [])
        a1.plot(range(1, len(rg) + 1), rg, "o-", ms=3, label=label)
        line = a2.plot(range(1, len(cg) + 1), [g / 1000 for g in cg], "o-", ms=4, label=label)[0]
        a2.axhline(f.get("session_s", 0) + 1, ls=":", color=line.get_color())
    a1.set_title("rolling restart: gap of each hand-over, in order", fontsize=10)
    a1.set_xlabel("event")
    a1.set_ylabel("gap (ms)")
    a2.set_title("crash (kill -9): gap of each crash, in order (dotted: T + 1 s)", fontsize=10)
    a2.set_xlabel("crash")
    a2.set_ylabel("gap (s)")
    a2.set_ylim(bottom=0)
    for ax in (a1, a2):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    r.plot(fig, "failover-timeline.png", "failover timelines")


def journal(r):
    runs = r.of("journal")
    r.line("## 5. Journal")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line("`bench/journal/run.sh SECONDS RATE`: one `ZkJournal` against 3 ZooKeeper server processes; each kill writes its")
    r.line("intent (awaited, as the daemon does) and its final record; kill-to-record latency = `onRecord` to the final")
    r.line("record visible to another session. Then 16 killers in a closed loop for the ceiling.")
    r.line()
    rows = []
    for i, j in enumerate(runs, 1):
        w, k = j.get("intent_wait_ms", {}), j.get("kill_to_record_ms", {})
        rows.append([i, f"{j.get('offered_kills_per_s')}", fmt(j.get("kills_per_s")), fmt(j.get("writes_per_s")),
                     f"{fmt(w.get('p50'), '', 1)} / {fmt(w.get('p99'), '', 1)} ms",
                     f"{fmt(k.get('p50'), '', 1)} / {fmt(k.get('p99'), '', 1)} / {fmt(k.get('max'), '', 0)} ms",
                     fmt(j.get("ceiling_kills_per_s")), j.get("spooled"), j.get("late_intents")])
    r.table(["run", "offered kills/s", "kills/s", "znode writes/s", "intent wait p50 / p99", "kill-to-record p50 / p99 / max",
             "ceiling kills/s", "spooled", "late intents"], rows)
    p99 = med([j.get("kill_to_record_ms", {}).get("p99") for j in runs])
    rate = med([j.get("writes_per_s") for j in runs])
    r.target("journal: >= 2 000 records/s, kill-to-record p99 <= 50 ms", "2 000 / 50 ms", f"{fmt(rate)} / {fmt(p99, '', 1)} ms",
             num(rate) and rate >= 2000 and p99 <= 50)


def fingerprint(r):
    runs = r.of("fingerprint")
    r.line("## 6. Fingerprints")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line("`bench/fingerprint/run.sh COUNT` with `QS_BENCH_REPS`: `bin/query-sniper fingerprint` and `pt-fingerprint` as")
    r.line("whole processes (JVM start included) on the same generated queries, alternating.")
    r.line()
    rows = []
    for f in runs:
        q, p = f["qs"], f["pt"]
        n = f["queries"]
        qw, pw = med(q["wall_s"]), med(p["wall_s"])
        qc, pc = med(q["cpu_s"]), med(p["cpu_s"])
        rows.append([fmt(n), f"{med_range(q['wall_s'], ' s', 2)} ({fmt(n / qw if num(qw) and qw else float('nan'))} q/s)",
                     f"{med_range(p['wall_s'], ' s', 2)} ({fmt(n / pw if num(pw) and pw else float('nan'))} q/s)",
                     ratio(pw, qw), ratio(pc, qc), f"{q.get('planted_leaks')} / {p.get('planted_leaks')}"])
        if n >= 1_000_000:
            r.target("fingerprint: >= 3x pt-fingerprint on 1M queries (wall)", "3x", ratio(pw, qw), num(qw) and pw / qw >= 3)
    r.table(["queries", "query-sniper wall", "pt-fingerprint wall", "speed-up (wall)", "speed-up (CPU)", "lines with a planted value (qs / pt)"], rows)
    single = runs[-1].get("single_query", {})
    if single:
        r.line("One long query, whole process: " + ", ".join(
            f"{k}: query-sniper {fmt(v.get('qs_s'), ' s', 2)}, pt-fingerprint {fmt(v.get('pt_s'), ' s', 2)}" for k, v in single.items()) + ".")
        r.line()


def soak(r):
    runs = r.of("soak")
    r.line("## 7. Soak")
    r.line()
    if not runs:
        r.line("Not run.")
        r.line()
        return
    r.line("`bench/soak/run.sh SECONDS`: `sysbench oltp_read_write` on a primary with a GTID replica, the daemon watching")
    r.line("both (`busy-time = 3s` kill-query; an idle transaction of 5 s: kill-connection), a long query or an idle")
    r.line("transaction injected every few seconds. A false kill is a KILLED record of the journal on a connection that")
    r.line("was not injected; a miss an injection alive 10 s past its limit.")
    r.line()
    rows = []
    for s in runs:
        sb = s.get("sysbench", {})
        over = [v for k in ("long_query_primary", "idle_trx_primary", "long_query_replica") for v in s.get(k, {}).get("overshoots_ms", [])]
        rows.append([f"{s['seconds']} s", f"{sb.get('transactions_per_s', '-')} tps, {sb.get('errors', '-')} errors",
                     s["injections"], s["journal_kills"], s["false_kills"], s["misses"], f"{fmt(med(over))} / {fmt(pct(over, 95))} / {fmt(max(over) if over else float('nan'))} ms",
                     "broken" if s["replication_broken"] else "running", f"{'yes' if s['replica_caught_up'] else 'NO'} ({fmt(s['replica_catch_up_s'], ' s', 1)})",
                     fmt(s["rss_slope_mb_per_min"], " MB/min", 2), fmt(s["cpu_slope_points_per_min"], " points/min", 3)])
        sb_errors = s.get("sysbench", {}).get("errors", 0) + (1 if s.get("sysbench_rc", 0) else 0)
        complete = s.get("journal_complete", True)
        r.target("soak: zero false kills (journal; sysbench errors), zero misses", "0 (0) / 0",
                 f"{s['false_kills']} ({sb_errors}) / {s['misses']}" + ("" if complete else ", journal NOT complete"),
                 complete and s["false_kills"] == 0 and sb_errors == 0 and s["misses"] == 0)
        r.target("soak: replication never broken, replica caught up", "running, caught up",
                 f"{'broken' if s['replication_broken'] else 'running'}, {'caught up' if s['replica_caught_up'] else 'NOT caught up'}",
                 not s["replication_broken"] and s["replica_caught_up"])
        samples = s.get("samples", [])
        rss = [x["rss_mb"] for x in samples]
        flat = num(s["rss_slope_mb_per_min"]) and abs(s["rss_slope_mb_per_min"]) * s["seconds"] / 60 <= 0.1 * max(rss or [1])
        r.target("soak: daemon RSS flat (drift over the run <= 10% of its RSS)", "<= 10%",
                 f"{fmt(s['rss_slope_mb_per_min'], ' MB/min', 2)}", flat)
    r.table(["length", "sysbench", "injections", "kills journaled", "false kills", "misses", "overshoot p50 / p95 / max",
             "replication", "replica caught up", "RSS slope", "CPU slope"], rows)
    s = runs[-1]
    samples = s.get("samples", [])
    if samples:
        fig, (a1, a2, a3) = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
        t = [x["t_s"] / 60 for x in samples]
        a1.plot(t, [x["rss_mb"] for x in samples], color=COLORS[QS])
        a1.set_ylabel("daemon RSS (MB)")
        a1.set_ylim(bottom=0)
        a2.plot(t[1:], [x["cpu_share"] * 100 if num(x["cpu_share"]) else float("nan") for x in samples][1:], color=COLORS[QS])
        a2.set_ylabel("daemon CPU (% of a core)")
        a2.set_ylim(bottom=0)
        a3.plot(t, [x["behind_s"] for x in samples], color="tab:green")
        a3.set_ylabel("replica behind (s)")
        a3.set_xlabel("minutes into the soak")
        for ax in (a1, a2, a3):
            ax.grid(alpha=0.3)
        a1.set_title(f"soak: {s['seconds']} s of sysbench oltp_read_write, samples every {samples[1]['t_s'] - samples[0]['t_s'] if len(samples) > 1 else 0:.0f} s", fontsize=10)
        r.plot(fig, "soak-rss-cpu.png", "soak: the daemon's RSS and CPU over time, and the replica's lag")


def targets(r):
    r.line("## Targets")
    r.line()
    if not r.targets:
        r.line("Nothing measured.")
        return
    r.table(["target", "bound", "measured", "verdict"], [[w, t, f, verdict(m)] for w, t, f, m in r.targets])


def main(argv):
    raw = argv[1]
    out = argv[2] if len(argv) > 2 else os.path.dirname(os.path.abspath(raw))
    os.makedirs(out, exist_ok=True)
    rows = []
    with open(raw) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                print(f"report: {raw}:{n}: not JSON, skipped ({e})", file=sys.stderr)
    r = Report(rows, out)
    meta(r)
    body = Report(rows, out)
    for section in (precision, storm, fleet, failover, journal, fingerprint, soak):
        try:
            section(body)
        except (KeyError, TypeError, ValueError, IndexError) as e:
            body.line(f"(this section could not be made from the raw data: {type(e).__name__}: {e})")
            body.line()
    r.targets = body.targets  # the summary comes first, the sections that measured it after
    targets(r)
    r.md += body.md
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(r.md).rstrip() + "\n")
    print(f"report: wrote {os.path.join(out, 'report.md')} and its plots from {len(rows)} JSON lines")


if __name__ == "__main__":
    main(sys.argv)
