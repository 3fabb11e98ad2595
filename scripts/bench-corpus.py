#!/usr/bin/env python3
"""Render+analyze every corpus chart with rbac-lens and render it with `helm template`, side by
side in the same run; report per-chart medians, the ratio helm/rbac-lens, overall totals, and
rbac-lens's median per chart and peak memory.

Usage: scripts/bench-corpus.py [RUNS=5]   (needs a release build and scripts/fetch-helm.sh)
RBAC_LENS_BASELINE=/path/to/older/rbac-lens adds that binary to the same interleaved runs
(a before/after comparison under the same load).
"""
import os
import resource
import statistics
import subprocess
import sys
import time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
corpus = os.path.join(root, "..", "shared", "corpus")
lens = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "rbac-lens")
helm = os.environ.get("RBAC_LENS_HELM") or subprocess.run(
    [os.path.join(root, "scripts", "fetch-helm.sh")], capture_output=True, text=True, check=True).stdout.strip()
baseline = os.environ.get("RBAC_LENS_BASELINE")


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


charts = []
for group in ("match", "nomatch"):
    for entry in sorted(os.listdir(os.path.join(corpus, group))):
        charts.append((entry, os.path.join(corpus, group, entry, "chart")))

print(f"{'chart':62} {'rbac-lens ms':>12} {'helm ms':>9} {'ratio':>7}" + (f" {'baseline ms':>11}" if baseline else ""))
lens_all, helm_all, base_all = [], [], []
for entry, chart in charts:
    name = entry.split("__")[1]
    l, h, b = [], [], []
    for _ in range(runs):  # interleaved, so load changes hit both alike
        l.append(timed([lens, "analyze", "-o", "json", chart]))
        h.append(timed([helm, "template", name, chart, "--namespace", "default"]))
        if baseline:
            b.append(timed([baseline, "analyze", "-o", "json", chart]))
    lm, hm = statistics.median(l), statistics.median(h)
    lens_all.append(lm)
    helm_all.append(hm)
    extra = ""
    if baseline:
        bm = statistics.median(b)
        base_all.append(bm)
        extra = f" {bm * 1000:11.1f}"
    print(f"{entry:62} {lm * 1000:12.1f} {hm * 1000:9.1f} {hm / lm:7.1f}{extra}")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"\ncharts: {len(charts)}, runs each: {runs}")
print(f"total of medians: rbac-lens {sum(lens_all):.2f} s, helm template {sum(helm_all):.2f} s, ratio {sum(helm_all) / sum(lens_all):.1f}x")
print(f"median per chart: rbac-lens {statistics.median(lens_all) * 1000:.1f} ms, helm {statistics.median(helm_all) * 1000:.1f} ms")
if baseline:
    print(f"baseline {baseline}: total of medians {sum(base_all):.2f} s (ratio to helm {sum(helm_all) / sum(base_all):.1f}x), "
          f"median per chart {statistics.median(base_all) * 1000:.1f} ms")
print(f"peak RSS of any child process (helm included): {peak:.0f} MiB")
