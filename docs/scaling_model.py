#!/usr/bin/env python3
"""The round-cost model of docs/scaling.md, fitted to `netslim bench averaging --json` outputs.

  python3 docs/scaling_model.py gaps EVENT_LOG...       driver-side time per round job when no task runs
  python3 docs/scaling_model.py fit BENCH_JSON...       comm = a + b x S over models (netslim master)
  python3 docs/scaling_model.py table BENCH_JSON... --fixed-ms G
                                                        modelled efficiency for 4-64 GPU workers: each model's
                                                        measured comm plus the wire, then Spark's fixed cost G
                                                        (from gaps) plus the wire alone

Standard library only. A fit uses the median comm of every run of a model, then the median over its runs.
"""
import argparse
import json
import math
import statistics
import sys
from collections import defaultdict

# Published FP32 V100 step times (docs/scaling.md, "Published GPU step times"), per minibatch per worker.
GPU_STEP_MS = {"preresnet-20": 1.7, "preresnet-164": 10.6, "vgg-19": 17.0, "resnet-50": 87.2}
WORKERS = (4, 8, 16, 32, 64)
LINKS_GBIT = (10, 25)
# auto's rule, as io.netslim.train.AveragingFrequency's TARGET_COMM_SHARE and MAX_FREQUENCY: the smallest F with
# comm at most 10% of a round, at most 32
AUTO_SHARE = 0.10
AUTO_CAP = 32


def load(paths):
    """Bench outputs by model: (state bytes, [median comm ms per run], [median round ms per run])."""
    runs = defaultdict(lambda: [0, [], []])
    for p in paths:
        with open(p) as f:
            d = json.load(f)
        r = d["round"]
        m = runs[d["model"]]
        m[0] = r["state_bytes"]
        m[1].append(r["comm_ms"]["median"])
        m[2].append(r["round_ms"]["median"])
    return runs


def fit(runs):
    """Least squares comm_ms = a + b x state_MB over the models' medians."""
    xs = [s / 1e6 for s, _, _ in runs.values()]
    ys = [statistics.median(c) for _, c, _ in runs.values()]
    if len(xs) < 2:
        sys.exit("fit: needs runs of at least two models")
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def wire_ms(state_bytes, workers, gbit):
    """The reduce-scatter and the all-gather each send and receive S (W-1)/W bytes per node (full duplex)."""
    return 2 * state_bytes * (workers - 1) / workers / (gbit * 1e9 / 8) * 1e3


def efficiency(step_ms, f, comm_ms):
    return f * step_ms / (f * step_ms + comm_ms)


def auto_f(step_ms, comm_ms):
    return max(1, min(AUTO_CAP, math.ceil((1 - AUTO_SHARE) / AUTO_SHARE * comm_ms / step_ms)))


def gaps(paths):
    """Per event log: the median over round jobs of the time inside the job when no task of it runs."""
    for p in paths:
        jobs, tasks, stage_job = {}, defaultdict(list), {}
        with open(p) as f:
            for line in f:
                e = json.loads(line)
                kind = e["Event"]
                if kind == "SparkListenerJobStart":
                    desc = (e.get("Properties") or {}).get("spark.job.description") or ""
                    jobs[e["Job ID"]] = [e["Submission Time"], None, desc]
                    for s in e["Stage IDs"]:
                        stage_job[s] = e["Job ID"]
                elif kind == "SparkListenerJobEnd":
                    jobs[e["Job ID"]][1] = e["Completion Time"]
                elif kind == "SparkListenerTaskEnd":
                    t = e["Task Info"]
                    tasks[stage_job.get(e["Stage ID"])].append((t["Launch Time"], t["Finish Time"]))
        out = []
        for j, (start, end, desc) in sorted(jobs.items()):
            if ": round " not in desc or end is None:
                continue
            busy, last = 0, start
            for a, b in sorted(tasks[j]):
                a, b = max(a, last), max(b, last)
                busy += b - a
                last = b
            out.append(end - start - busy)
        rounds = out[1:]  # the first round is warm-up
        print(json.dumps({"event_log": p, "rounds": len(rounds), "gap_ms_median": statistics.median(rounds)
                          if rounds else None, "gap_ms": rounds}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("gaps", "fit", "table"))
    ap.add_argument("files", nargs="+")
    ap.add_argument("--fixed-ms", type=float, default=0.0,
                    help="Spark's fixed cost per round (the gaps' median), for the wire-only table")
    args = ap.parse_args()
    if args.command == "gaps":
        gaps(args.files)
        return
    runs = load(args.files)
    a, b = fit(runs)
    if args.command == "fit":
        print(json.dumps({"a_ms": a, "b_ms_per_MB": b, "models": {
            m: {"state_MB": s / 1e6, "comm_ms": c, "round_ms": r} for m, (s, c, r) in runs.items()}}, indent=1))
        return
    print(f"fit over the models: comm = {a:.0f} ms + {b:.2f} ms/MB x S\n")
    for title, cpu in (("each model's measured comm + wire", lambda c: statistics.median(c)),
                       (f"Spark's fixed {args.fixed_ms:.0f} ms + wire", lambda c: args.fixed_ms)):
        print(f"{title}; cells: efficiency at F = 1 / 5 / 10 / auto's F (in brackets)\n")
        print("| model | GPU step (ms) | Gb/s | " + " | ".join(f"W = {w}" for w in WORKERS) + " |")
        print("|---|---|---|" + "---|" * len(WORKERS))
        for model, (state, comms, _) in runs.items():
            step = GPU_STEP_MS.get(model)
            if step is None:
                continue
            for g in LINKS_GBIT:
                cells = []
                for w in WORKERS:
                    c = cpu(comms) + wire_ms(state, w, g)
                    f = auto_f(step, c)
                    cells.append(" / ".join(f"{efficiency(step, x, c):.2f}" for x in (1, 5, 10))
                                 + f" / {efficiency(step, f, c):.2f} ({f})")
                print(f"| {model} | {step} | {g} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()
