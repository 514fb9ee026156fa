"""Benchmark the analysis on a large seeded random organization.

Usage::

    .venv/bin/python bench/bench_analysis.py [--departments 10000] [--contracts 50000]

Builds an organization of internal departments in tiers (each supplies mostly
departments of later tiers, so long chains run to the external customers),
with a share of backward contracts that close cycles, several respondents per
contract over three periods, some contracts never rated. Prints the wall time
and CPU time of each step of `analyze`, of `analyze` itself and of `to_json`,
and the peak memory. Standard library and networkx only.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.analysis import (  # noqa: E402
    Contract,
    Department,
    Rating,
    analyze,
    build_graph,
    chain_strength,
    contract_health,
    contract_trend,
    cut_off,
    dominated_counts,
    reach,
)

PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3"]
SERVICES = [f"service-{i}" for i in range(40)]


def make_organization(n_departments, n_external, n_contracts, seed, backward=0.1, unrated=0.1):
    """Return ``(departments, contracts, ratings)`` of a seeded random organization."""
    rng = random.Random(seed)
    n_internal = n_departments - n_external
    internal = [f"D{i:05d}" for i in range(n_internal)]
    external = [f"X{i:03d}" for i in range(n_external)]
    departments = [Department(c, c, "internal") for c in internal]
    departments += [Department(c, c, "external") for c in external]
    tiers = 10
    tier_size = n_internal // tiers

    contracts = []
    seen = set()
    while len(contracts) < n_contracts:
        i = rng.randrange(n_internal)
        tier = i // tier_size
        roll = rng.random()
        if tier >= tiers - 1 or roll < 0.02:
            customer = rng.choice(external)
        elif roll < 0.02 + backward:
            customer = internal[rng.randrange(n_internal)]
        else:
            customer = internal[rng.randrange((tier + 1) * tier_size, min(n_internal, (tier + 3) * tier_size))]
        supplier = internal[i]
        service = rng.choice(SERVICES)
        key = (supplier, customer, service)
        if supplier == customer or key in seen:
            continue
        seen.add(key)
        contracts.append(Contract(len(contracts) + 1, supplier, customer, service, rng.randint(1, 3)))

    ratings = []
    for con in contracts:
        if rng.random() < unrated:
            continue
        base = rng.uniform(30, 100)
        for period in PERIODS:
            if rng.random() < 0.2:
                continue  # not rated this period: stale or unrated
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.05:
                    ratings.append(Rating(con.id, period, None, no_interaction=True))
                    continue
                health = min(100.0, max(0.0, rng.gauss(base, 10)))
                ratings.append(Rating(con.id, period, health, recommend=rng.randint(0, 10),
                                      standard_met=rng.choice(["met", "partly", "missed", None])))
    return departments, contracts, ratings


def timed(label, func, *args):
    # CPU time beside wall time: on a shared machine the wall clock also
    # counts the time spent waiting for a CPU.
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    print(f"  {label:<20} wall {time.perf_counter() - wall:7.3f} s   cpu {time.process_time() - cpu:7.3f} s")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--external", type=int, default=50)
    parser.add_argument("--contracts", type=int, default=50_000)
    parser.add_argument("--backward", type=float, default=0.1, help="share of contracts that may close cycles")
    parser.add_argument("--seed", type=int, default=20260701)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    departments, contracts, ratings = make_organization(
        args.departments, args.external, args.contracts, args.seed, backward=args.backward
    )
    print(f"organization: {len(departments)} departments ({args.external} external), "
          f"{len(contracts)} contracts, {len(ratings)} ratings over {len(PERIODS)} periods "
          f"(made in {time.perf_counter() - start:.2f} s)")

    period = PERIODS[-1]
    ids = [c.id for c in contracts]
    print("steps:")
    health = timed("contract_health", contract_health, ratings, ids, period, PERIODS)
    timed("contract_trend", contract_trend, ratings, ids, period, PERIODS)
    G = timed("build_graph", build_graph, departments, contracts, {i: h.health for i, h in health.items()})
    timed("chain_strength", chain_strength, G)
    timed("reach", reach, G)
    timed("dominated_counts", dominated_counts, G)
    timed("cut_off", cut_off, G)
    print("whole:")
    result = timed("analyze", analyze, departments, contracts, ratings, period, PERIODS)
    data = timed("to_json", result.to_json)
    timed("json.dumps", json.dumps, data)

    import networkx as nx

    sccs = sorted((len(c) for c in nx.strongly_connected_components(G)), reverse=True)
    print(f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} links, largest cycle group "
          f"{sccs[0]} departments, {len(result.weak_links)} weak links, {len(result.blind_spots)} blind spots, "
          f"{len(result.cut_off)} cut off")

    del result, data
    gc.collect()
    tracemalloc.start()
    analyze(departments, contracts, ratings, period, PERIODS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory: analyze peak {peak / 2**20:.1f} MiB allocated (tracemalloc); "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
