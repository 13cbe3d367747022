#!/usr/bin/env python3
"""Markdown tables of the latest criterion results (target/criterion/**/new/).

    python3 tools/bench/summarize.py [--dir target/criterion] [PREFIX ...]

One row per benchmark: median and mean time per iteration and, where the benchmark declared
its throughput in bytes, MiB/s (of the median). For the request-path groups, a second table
gives each hook's median against the floor (verify + skip-parse, sonic-rs) on the same hook's
bytes, and against the old floor (verify + parse to a serde_json `Value`).
"""

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load(directory):
    """Every benchmark's id, group, function and estimates, sorted by group then order found."""
    results = []
    for estimates_path in sorted(directory.glob("**/new/estimates.json")):
        benchmark_path = estimates_path.with_name("benchmark.json")
        if not benchmark_path.exists():
            continue
        benchmark = json.loads(benchmark_path.read_text())
        estimates = json.loads(estimates_path.read_text())
        results.append(
            {
                "id": benchmark["full_id"],
                "group": benchmark["group_id"],
                "function": benchmark.get("function_id") or "",
                "throughput": benchmark.get("throughput") or {},
                "median_ns": estimates["median"]["point_estimate"],
                "mean_ns": estimates["mean"]["point_estimate"],
            }
        )
    return results


def duration(ns):
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= size:
            return f"{ns / size:.2f} {unit}"
    return f"{ns:.0f} ns"


def mib_per_s(result):
    size = result["throughput"].get("Bytes") or result["throughput"].get("BytesDecimal")
    if not size:
        return ""
    return f"{size / (result['median_ns'] / 1e9) / (1024 * 1024):.0f}"


def group_sort_key(group):
    # verify_1KB before verify_100KB, request_path_10_items before request_path_100_items.
    numbers = [int(n) for n in re.findall(r"\d+", group)]
    scale = 1024 if "MB" in group else 1
    return (re.sub(r"\d+", "#", group), [n * scale for n in numbers])


def print_all(results):
    print("| group | benchmark | median | mean | MiB/s |")
    print("|---|---|---:|---:|---:|")
    for r in sorted(results, key=lambda r: group_sort_key(r["group"])):
        print(
            f"| {r['group']} | {r['function']} | {duration(r['median_ns'])} "
            f"| {duration(r['mean_ns'])} | {mib_per_s(r)} |"
        )


def print_request_path_ratios(results):
    by_group = {}
    for r in results:
        if r["group"].startswith("request_path_"):
            by_group.setdefault(r["group"], {})[r["function"]] = r["median_ns"]
    if not by_group:
        return
    print("\n| group | hook | median | floor (verify + skip-parse) | ratio | verify + `Value` | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for group in sorted(by_group, key=group_sort_key):
        times = by_group[group]
        for hook in ("updated", "initialize"):
            floors = [times.get(f"floor_skip_{hook}"), times.get(f"floor_{hook}")]
            if hook in times and all(floors):
                cells = " | ".join(f"{duration(f)} | {times[hook] / f:.2f}x" for f in floors)
                print(f"| {group} | {hook} | {duration(times[hook])} | {cells} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "target" / "criterion")
    parser.add_argument("prefixes", nargs="*", help="only groups starting with one of these")
    args = parser.parse_args()
    results = load(args.dir)
    if args.prefixes:
        results = [r for r in results if r["group"].startswith(tuple(args.prefixes))]
    if not results:
        raise SystemExit(f"no criterion results under {args.dir}: run cargo bench first")
    print_all(results)
    print_request_path_ratios(results)


if __name__ == "__main__":
    main()
