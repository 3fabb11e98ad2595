#!/usr/bin/env python3
"""Render+analyze every corpus chart with rbac-lens and render it with `helm template`, side by
side in the same run; report per-chart medians, the ratio helm/rbac-lens, overall totals, and
rbac-lens's median per chart and peak memory.

Usage: scripts/bench-corpus.py [RUNS=5]   (needs a release build and scripts/fetch-helm.sh)
RBAC_LENS_BASELINE=/path/to/older/rbac-lens adds that binary to the same interleaved runs
(a before/after comparison under the same load).

Same work on both sides: where helm refuses a chart only because subchart archives are missing
from charts/ (disabled by default or not vendored; helm then stops before rendering anything),
helm is timed on a scratch copy whose Chart.yaml/requirements.yaml no longer list them. That is
what rbac-lens renders (DESIGN.md: a missing dependency is not rendered) and what the
differential test (crates/helm/tests/corpus_diff.rs) compares with. Such charts are marked `*`.
"""
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

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


scratch = tempfile.mkdtemp(prefix="bench-corpus-")


def helm_target(name, chart):
    """The chart directory helm should render, and whether it is a copy without missing deps."""
    r = subprocess.run([helm, "template", name, chart, "--namespace", "default"],
                       capture_output=True, text=True)
    m = re.search(r"missing in charts/ directory: (.*)", r.stderr)
    if r.returncode == 0 or not m:
        return chart, False
    missing = {d.strip() for d in m.group(1).split(",")}
    copy = os.path.join(scratch, os.path.basename(os.path.dirname(chart)))
    shutil.copytree(chart, copy, symlinks=True)
    for file in ("Chart.yaml", "requirements.yaml"):
        path = os.path.join(copy, file)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            doc = yaml.safe_load(f)
        if isinstance(doc, dict) and isinstance(doc.get("dependencies"), list):
            doc["dependencies"] = [d for d in doc["dependencies"]
                                   if not (isinstance(d, dict) and d.get("name") in missing)]
        with open(path, "w") as f:
            json.dump(doc, f)  # JSON is YAML; keeps every other field as it was
    return copy, True


charts = []
for group in ("match", "nomatch"):
    for entry in sorted(os.listdir(os.path.join(corpus, group))):
        charts.append((entry, os.path.join(corpus, group, entry, "chart")))

print(f"{'chart':62} {'rbac-lens ms':>12} {'helm ms':>9} {'ratio':>7}" + (f" {'baseline ms':>11}" if baseline else ""))
lens_all, helm_all, base_all = [], [], []
for entry, chart in charts:
    name = entry.split("__")[1]
    helm_chart, without = helm_target(name, chart)
    l, h, b = [], [], []
    for _ in range(runs):  # interleaved, so load changes hit both alike
        l.append(timed([lens, "analyze", "-o", "json", chart]))
        h.append(timed([helm, "template", name, helm_chart, "--namespace", "default"]))
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
    print(f"{entry + (' *' if without else ''):62} {lm * 1000:12.1f} {hm * 1000:9.1f} {hm / lm:7.1f}{extra}")
# The whole corpus in one rbac-lens process (a directory of charts, or several charts on the
# command line, is one run: inputs are rendered in parallel) against helm's one process per
# chart (helm template takes one chart).
one = [timed([lens, "analyze", "-o", "json"] + [c for _, c in charts]) for _ in range(runs)]
one_median = statistics.median(one)
shutil.rmtree(scratch)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"\ncharts: {len(charts)}, runs each: {runs}; * = helm timed without the subcharts missing from charts/")
print(f"total of medians: rbac-lens {sum(lens_all):.2f} s, helm template {sum(helm_all):.2f} s, ratio {sum(helm_all) / sum(lens_all):.1f}x")
print(f"whole corpus in one rbac-lens run: {one_median:.2f} s (median of {runs}), "
      f"ratio to helm's total {sum(helm_all) / one_median:.1f}x")
print(f"median per chart: rbac-lens {statistics.median(lens_all) * 1000:.1f} ms, helm {statistics.median(helm_all) * 1000:.1f} ms")
if baseline:
    print(f"baseline {baseline}: total of medians {sum(base_all):.2f} s (ratio to helm {sum(helm_all) / sum(base_all):.1f}x), "
          f"median per chart {statistics.median(base_all) * 1000:.1f} ms")
print(f"peak RSS of any child process (helm included): {peak:.0f} MiB")
