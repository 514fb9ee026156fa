"""Analysis of the internal supplier-customer graph.

Pure functions in the style of NetworkX: plain records in, an ``nx.DiGraph``
built from them, results as dicts keyed by department or link. Nothing here
imports Flask, the database or the rest of ``tracker``, so the web views, the
JSON API and the CLI share one implementation, testable on tiny inputs.

The definitions are those of the product brief, "Analytics - exact
definitions"; `analyze` computes all of them for one period.
"""

from tracker.analysis.bands import BAND_COLOURS, BAND_SYMBOLS, BAND_WORDS, band, figure_band, worst
from tracker.analysis.chains import ChainStrength, chain_strength
from tracker.analysis.dominators import SINK, dominated_counts, dominators_tree
from tracker.analysis.graph import build_graph, customers, internal_departments, reaching_customers
from tracker.analysis.health import (
    DECLINE_AT_ONCE,
    ContractHealth,
    Trend,
    contract_health,
    contract_trend,
    periods_read,
    rating_health,
)
from tracker.analysis.period import (
    CRITICAL,
    FLOOR,
    TARGET,
    WARNING,
    BlindSpot,
    ContractFigures,
    DepartmentFigures,
    PeriodAnalysis,
    WeakLink,
    analyze,
)
from tracker.analysis.reachability import cut_off, reach
from tracker.analysis.records import EXTERNAL, INTERNAL, Contract, Department, Rating
from tracker.analysis.view import FRESH, SILENT, STALE, UNRATED, graph_view, link_state
from tracker.analysis.scores import (
    CSAT_THRESHOLD,
    SMALL_SAMPLE,
    csat,
    nps,
    response_rate,
    round_half_away,
    standard_met_rate,
)

__all__ = [
    # records
    "Department",
    "Contract",
    "Rating",
    "INTERNAL",
    "EXTERNAL",
    # health and trend
    "rating_health",
    "contract_health",
    "contract_trend",
    "periods_read",
    "ContractHealth",
    "Trend",
    "DECLINE_AT_ONCE",
    # survey figures
    "nps",
    "csat",
    "standard_met_rate",
    "response_rate",
    "round_half_away",
    "CSAT_THRESHOLD",
    "SMALL_SAMPLE",
    # graph
    "build_graph",
    "customers",
    "internal_departments",
    "reaching_customers",
    "chain_strength",
    "ChainStrength",
    "reach",
    "cut_off",
    "dominated_counts",
    "dominators_tree",
    "SINK",
    # the period
    "analyze",
    "PeriodAnalysis",
    "DepartmentFigures",
    "ContractFigures",
    "WeakLink",
    "BlindSpot",
    "TARGET",
    "FLOOR",
    "CRITICAL",
    "WARNING",
    # the health band
    "band",
    "figure_band",
    "worst",
    "BAND_WORDS",
    "BAND_SYMBOLS",
    "BAND_COLOURS",
    # the graph as data
    "graph_view",
    "link_state",
    "FRESH",
    "STALE",
    "SILENT",
    "UNRATED",
]
