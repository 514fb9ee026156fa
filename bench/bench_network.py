"""Benchmark reading and rolling up a large network survey (no database).

Usage::

    .venv/bin/python bench/bench_network.py [--people 20000] [--ties 200000] [--departments 500]

Writes a seeded random ``;``-separated edge list with a weight column (a quarter of the
rows weight 0, as a long-form matrix has) and a people file, then times reading and
checking them, the roll-up to department volumes, and the comparison rules against as
many agreements as departments × 5.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.analysis.network import dormant_agreements, informal_reliance, shadow_services  # noqa: E402
from tracker.importer.network import read_network  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--ties", type=int, default=200000)
    parser.add_argument("--departments", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(2026)
    codes = [f"D{i}" for i in range(args.departments)]
    people = ["person;department"] + [f"p{i};{rng.choice(codes)}" for i in range(args.people)]
    edges = ["ego;alter;edge"] + [f"p{rng.randrange(args.people)};p{rng.randrange(args.people)};"
                                  f"{rng.choice(('1', '1', '1', '0'))}" for _ in range(args.ties)]
    people_data, edges_data = "\n".join(people).encode(), "\n".join(edges).encode()

    start = time.perf_counter()
    read = read_network("edges.csv", edges_data, "people.csv", people_data, department_column="department")
    read_s = time.perf_counter() - start
    assert not read.problems, read.problems[:3]
    start = time.perf_counter()
    rollup = read.rollup()
    rollup_s = time.perf_counter() - start
    contracts = [(i, rng.choice(codes), rng.choice(codes)) for i in range(args.departments * 5)]
    start = time.perf_counter()
    shadow = shadow_services(rollup.volumes, [(s, c) for _i, s, c in contracts], 3)
    dormant = dormant_agreements(contracts, rollup.volumes, rollup.within)
    informal_reliance(rollup.volumes)
    compare_s = time.perf_counter() - start
    print(f"{args.people} people, {len(edges) - 1} rows, {rollup.ties} ties, {len(rollup.volumes)} department pairs")
    print(f"read and check: {read_s:.2f} s; roll-up: {rollup_s:.2f} s; comparison: {compare_s:.3f} s "
          f"({len(shadow)} shadow services, {len(dormant)} dormant agreements)")


if __name__ == "__main__":
    main()
