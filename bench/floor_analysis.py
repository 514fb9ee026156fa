"""The plain floor for the analysis benchmark: read the CSV files, build the graph, one widest-path pass.

Usage::

    python bench/floor_analysis.py FOLDER PERIOD

Reads ``departments.csv``, ``contracts.csv`` and ``ratings.csv`` of FOLDER (the import layout
written by ``bench/orgs.py``), takes the mean health of each agreement's ratings in PERIOD
(equal weights), builds a ``networkx.DiGraph`` of supplier → customer links weighted by the lowest
health of their agreements, and computes every department's widest-path (bottleneck) value to
the external customers with one Dijkstra-like pass from a virtual sink. No database, no app:
this is the least any tool must do to answer "where is the chain weakest", and ``make bench``
reports the app's whole ``flask analyze`` against it as a ratio.
"""
from __future__ import annotations

import csv
import heapq
import sys
from collections import defaultdict
from pathlib import Path

import networkx as nx


def main(folder: Path, period: str) -> int:
    with (folder / "departments.csv").open(encoding="utf-8") as fh:
        external = {row["code"] for row in csv.DictReader(fh) if row["kind"] == "external"}
    with (folder / "contracts.csv").open(encoding="utf-8") as fh:
        contracts = [(row["supplier_code"], row["customer_code"], row["service"]) for row in csv.DictReader(fh)]
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0])
    with (folder / "ratings.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["period"] != period:
                continue
            scores = [int(row[k]) for k in ("quality", "timeliness", "communication", "value") if row[k]]
            if scores:
                acc = sums[(row["supplier_code"], row["customer_code"], row["service"])]
                acc[0] += 100 * sum((s - 1) / 4 for s in scores) / len(scores)
                acc[1] += 1
    graph = nx.DiGraph()
    for key in contracts:
        total, n = sums.get(key, (0.0, 0))
        health = total / n if n else None
        sup, cus, _ = key
        old = graph.get_edge_data(sup, cus, {}).get("health")
        graph.add_edge(sup, cus, health=health if old is None else (old if health is None else min(old, health)))

    # Widest path to any external customer: a max-bottleneck Dijkstra on the reversed graph.
    best = {x: float("inf") for x in external if x in graph}
    heap = [(-v, x) for x, v in best.items()]
    heapq.heapify(heap)
    while heap:
        neg, node = heapq.heappop(heap)
        if -neg < best.get(node, -1):
            continue
        for pred in graph.predecessors(node):
            h = graph[pred][node]["health"]
            value = min(-neg, 100.0 if h is None else h)
            if value > best.get(pred, -1):
                best[pred] = value
                heapq.heappush(heap, (-value, pred))
    print(len(best), sum(1 for v in best.values() if v < 75))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
