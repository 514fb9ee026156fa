"""Benchmark the rotation planner on a random organization.

Usage::

    .venv/bin/python bench/bench_rotations.py [--departments 200] [--visits 400] [--weeks 13] [--seed 1]

Random candidate visits between departments (weights 1-1000 points of risk), each
department may send and host 1-3 people a week, some weeks already partly booked.
Prints the wall time of :func:`propose_plan` (week-by-week exact b-matching) and of
:func:`greedy_plan`, and the risk each covers. Standard library and networkx only.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.analysis.rotations import greedy_plan, plan_risk, propose_plan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--visits", type=int, default=400)
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    codes = [f"D{i}" for i in range(args.departments)]
    legs = []
    while len(legs) < args.visits:
        a, b = rng.sample(codes, 2)
        legs.append((a, b, float(rng.randint(1, 1000))))
    sends = {c: rng.randint(1, 3) for c in codes}
    hosts = {c: rng.randint(1, 3) for c in codes}
    sent = {(w, c): 1 for w in range(args.weeks) for c in codes if rng.random() < 0.1}
    start = time.perf_counter()
    plan = propose_plan(legs, args.weeks, sends, hosts, sent=sent)
    planned = time.perf_counter() - start
    start = time.perf_counter()
    greedy = greedy_plan(legs, args.weeks, sends, hosts, sent=sent)
    greedy_time = time.perf_counter() - start
    total = sum(w for _a, _b, w in legs)
    print(f"{args.departments} departments, {args.visits} candidate visits, {args.weeks} weeks")
    print(f"propose_plan: {planned:.2f} s, {len(plan)} visits, risk {plan_risk(plan):.0f} of {total:.0f}")
    print(f"greedy_plan:  {greedy_time:.3f} s, {len(greedy)} visits, risk {plan_risk(greedy):.0f}")


if __name__ == "__main__":
    main()
