"""What the dashboard pages read: the period's analysis turned into rows, the headline and chart data.

Every figure comes from :func:`tracker.services.analysis.period_analysis`; nothing here
re-implements a formula. Loaders run a fixed number of queries whatever the size of the
organization (the history loaders one analysis per period shown, at most :data:`HISTORY`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from babel.numbers import get_decimal_symbol
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import analysis, formatting
from ..charts import GraphLink, GraphNode
from ..extensions import db
from ..models import CRITICALITY_NAMES, Contract, Department, FollowUp, Period, Rating
from ..services import analysis as analysis_service
from ..templating import Health, band_word

#: Periods shown in a history chart, the selected one and those before it.
HISTORY = 8


@dataclass
class LinkRow:
    """One contract in a table: its figures in the period, ready to print."""

    id: int
    supplier: str
    customer: str
    service: str
    criticality: int
    health: Health
    reach: int
    risk: float | None
    severity: str | None
    delta: float | None
    declining: bool
    rank: int | None = None
    target: float = 75.0
    floor: float = 50.0

    @property
    def criticality_word(self) -> str:
        return criticality_word(self.criticality)


@dataclass
class Headline:
    """The most threatening link and the reasons, for the first line of the dashboard."""

    link: LinkRow
    reach_departments: list[str]
    bottleneck_of: list[str]
    previous_period: str | None


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one period."""

    period: Period
    analysis: analysis.PeriodAnalysis
    headline: Headline | None
    weak_links: list[LinkRow]
    blind_spots: list[LinkRow]
    cut_off: list[analysis.DepartmentFigures]
    dominators: list[analysis.DepartmentFigures]
    response_rates: list[analysis.DepartmentFigures]
    counts: dict[str, int] = field(default_factory=dict)


def criticality_word(value: int) -> str:
    """``low``, ``medium`` or ``high``, translated."""
    return {1: _("low"), 2: _("medium"), 3: _("high")}.get(value, CRITICALITY_NAMES.get(value, str(value)))


def link_row(pa: analysis.PeriodAnalysis, cid: int, rank: int | None = None) -> LinkRow:
    """The row of contract ``cid`` in the analysis ``pa``."""
    cf = pa.contracts[cid]
    con = cf.contract
    health = Health.of_figures(cf)
    return LinkRow(
        id=cid, supplier=con.supplier, customer=con.customer, service=con.service, criticality=con.criticality,
        health=health, reach=cf.reach, risk=cf.risk,
        severity=cf.severity, delta=cf.delta, declining=cf.declining, rank=rank, target=cf.target, floor=cf.floor,
    )


def dashboard(period: Period) -> Dashboard:
    """The dashboard of ``period``: headline, weak links, blind spots, cut off, dominators, response rates."""
    pa = analysis_service.period_analysis(period)
    weak = [link_row(pa, w.contract.id, w.rank) for w in pa.weak_links]
    blind = [link_row(pa, b.contract.id) for b in pa.blind_spots]
    internal = [d for d in pa.departments.values() if d.kind == analysis.INTERNAL]
    headline = None
    if weak:
        top = weak[0]
        G = pa.graph
        reaching = sorted(
            code for code in nx.ancestors(G, top.supplier) | {top.supplier}
            if G.nodes[code]["kind"] == analysis.INTERNAL
        )
        bottleneck_of = sorted(d.code for d in internal if d.bottleneck == top.id)
        previous = _previous_label(period)
        headline = Headline(top, reaching, bottleneck_of, previous)
    return Dashboard(
        period=period,
        analysis=pa,
        headline=headline,
        weak_links=weak,
        blind_spots=blind,
        cut_off=[pa.departments[c] for c in pa.cut_off],
        dominators=sorted((d for d in internal if d.dominates > 0), key=lambda d: (-d.dominates, d.code)),
        response_rates=sorted((d for d in internal if d.response_rate is not None),
                              key=lambda d: (d.response_rate, d.code)),
        counts={
            "critical": sum(1 for w in weak if w.severity == analysis.CRITICAL),
            "warning": sum(1 for w in weak if w.severity == analysis.WARNING),
            "departments": len(counted_departments(pa)),
            "contracts": len(pa.contracts),
        },
    )


def counted_departments(pa: analysis.PeriodAnalysis) -> list[analysis.DepartmentFigures]:
    """The departments the pages count: internal ones that are a party to at least one agreement of ``pa``.

    Divisions and new units without agreements have no figures, and external customers are not
    departments of ours; the dashboard's count and the default department list both use this.
    """
    linked = {code for cf in pa.contracts.values() for code in (cf.contract.supplier, cf.contract.customer)}
    return [d for d in pa.departments.values() if d.kind == analysis.INTERNAL and d.code in linked]


def department_rows(pa: analysis.PeriodAnalysis, sort: str = "code", q: str = "",
                    show_all: bool = False) -> list[analysis.DepartmentFigures]:
    """Departments of ``pa`` whose code or name contains ``q`` (any case), internal ones first, sorted by
    the figure ``sort`` (``-`` prefix: descending); departments without the figure go last.

    Only :func:`counted_departments` unless ``show_all`` (then external customers and units
    without agreements too)."""
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    needle = q.casefold()
    pool = pa.departments.values() if show_all else counted_departments(pa)
    rows = [d for d in pool
            if not needle or needle in d.code.casefold() or needle in d.name.casefold()]
    rows.sort(key=lambda d: d.code)
    if key != "code":
        rows.sort(key=lambda d: (getattr(d, key) is None, -(getattr(d, key) or 0) if descending else
                                 (getattr(d, key) or 0)))
    elif descending:
        rows.reverse()
    rows.sort(key=lambda d: d.kind != analysis.INTERNAL)
    return rows


def graph_view(pa: analysis.PeriodAnalysis) -> dict:
    """The graph of ``pa`` as plain data (:func:`tracker.analysis.graph_view`) with the divisions
    of the organization and the page addresses the interactive graph opens."""
    view = analysis.graph_view(pa, analysis_service.divisions())
    view["urls"] = {
        "department": url_for("dashboard.department", code="__CODE__", period=pa.period),
        "contract": url_for("dashboard.contract", contract_id=0, period=pa.period).replace("/0?", "/__ID__?"),
    }
    return view


def graph_data(pa: analysis.PeriodAnalysis) -> tuple[list[GraphNode], list[GraphLink]]:
    """Plain chart input for the static dependency graph of ``pa``: one link per supplier → customer
    pair, drawn in the worst band of its agreements (each with its own target and floor, as in the
    tables), carrying that agreement's health, the best weak-link rank and a page to open."""
    view = analysis.graph_view(pa)
    by_pair: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for edge in view["edges"]:
        by_pair[edge["source"], edge["target"]].append(edge)
    bottleneck = {}
    for node in view["nodes"]:
        cf = pa.contracts.get(node["bottleneck"]) if node["bottleneck"] is not None else None
        if cf is not None:
            bottleneck[node["id"]] = (f"{cf.contract.supplier} → {cf.contract.customer} "
                                      f"{formatting.points(cf.health) if cf.health is not None else '—'}")
    nodes = [
        GraphNode(n["id"], n["name"], n["kind"], n["strength"], n["cut_off"],
                  url_for("dashboard.department", code=n["id"], period=pa.period),
                  own_band=n["own_band"], bottleneck=bottleneck.get(n["id"], ""))
        for n in view["nodes"]
    ]
    order = {b: i for i, b in enumerate(analysis.bands.BANDS)}
    links = []
    for (sup, cus), edges in sorted(by_pair.items()):
        # the agreement the link shows: the worst band, then the lowest health; the silent one
        # with the highest last known risk when none is rated
        shown = min(edges, key=lambda e: (order[e["band"]], e["health"] if e["health"] is not None else 101,
                                          -(e["last_risk"] or 0), e["contract"]))
        ranks = [e["rank"] for e in edges if e["rank"] is not None]
        page = min(edges, key=lambda e: (e["rank"] or 10**9, e is not shown, e["contract"]))
        services = "; ".join(e["service"] for e in edges)
        title = f"{sup} → {cus} ({services}): " + _health_words(shown)
        if ranks:
            title += " · " + _("weak link #%(rank)d", rank=min(ranks))
        links.append(GraphLink(
            sup, cus, shown["health"], shown["state"] == analysis.STALE, max(e["criticality"] for e in edges),
            min(ranks) if ranks else None,
            url_for("dashboard.contract", contract_id=page["contract"], period=pa.period), title,
            band=shown["band"], last_health=shown["last_health"], last_period=shown["last_period"],
        ))
    return nodes, links


def _health_words(edge: dict) -> str:
    """``health 83.3, warning`` / ``… · stale`` / ``unrated, last known 31.3 in 2026-Q2`` for a graph edge."""
    word = band_word(edge["band"])
    if edge["health"] is None:
        text = word
        if edge["last_health"] is not None:
            text += ", " + _("last known %(h)s in %(p)s", h=formatting.points(edge["last_health"]),
                             p=edge["last_period"])
        return text
    text = _("health %(h)s, %(word)s", h=formatting.points(edge["health"]), word=word)
    if edge["state"] == analysis.STALE:
        text += " · " + _("stale")
    return text


def graph_labels() -> dict[str, str]:
    """The words of the graph chart, translated."""
    return {
        "decimal": get_decimal_symbol(get_locale()),
        "graph_title": _("Dependency graph"),
        "cycle": _("Cycle"),
        "flow": _("work flows toward the external customer"),
        "external_column": _("External customers"),
        "cut_off_note": _("Cut off: no path to an external customer"),
        "external": _("external customer"),
        "strength": _("chain strength"),
        "cut_off": _("cut off from the customer"),
        "health": _("health"),
        "stale": _("stale"),
        "weak_link": _("weak link"),
        "good": _("Good"),
        "warning": _("Warning"),
        "critical": _("Critical"),
        "unrated": _("Unrated (dashed grey)"),
        "stale_legend": _("Stale health (dashed)"),
        "crit_low": _("Low criticality"),
        "crit_medium": _("Medium criticality"),
        "crit_high": _("High criticality"),
        "rank_legend": _("Weak-link rank"),
        "dept_legend": _("Department: fill = its own links, border = chain strength"),
        "dept_none": _("No chain strength / cut off (dashed)"),
        "bottleneck": _("bottleneck"),
        "last_known": _("last known"),
        "silent_legend": _("Silent: unrated now, rated before (dotted)"),
        "no_data": _("No agreement is active in this period"),
    }


def history_periods(period: Period) -> list[Period]:
    """``period`` and up to :data:`HISTORY` − 1 periods before it, oldest first."""
    periods = [p for p in analysis_service.known_periods() if p.start_date <= period.start_date]
    return periods[-HISTORY:]


def history(period: Period) -> list[analysis.PeriodAnalysis]:
    """The analyses of :func:`history_periods`, oldest first (one analysis per period)."""
    return [analysis_service.period_analysis(p) for p in history_periods(period)]


def department(code: str) -> Department | None:
    """The department with ``code``, or None."""
    return db.session.scalar(select(Department).where(Department.code == code))


def contract(contract_id: int) -> Contract | None:
    """The contract with supplier, customer and service loaded, or None."""
    return db.session.scalar(
        select(Contract)
        .options(joinedload(Contract.supplier), joinedload(Contract.customer), joinedload(Contract.service))
        .where(Contract.id == contract_id)
    )


def ratings_of(contract_id: int, period: Period) -> list[Rating]:
    """The ratings of one contract in one period, respondents and scores loaded (two queries)."""
    return list(db.session.scalars(
        select(Rating)
        .options(joinedload(Rating.respondent), selectinload(Rating.scores))
        .where(Rating.contract_id == contract_id, Rating.period_id == period.id)
        .order_by(Rating.id)
    ).unique())


def follow_ups_of(contract_id: int) -> list[FollowUp]:
    """Every follow-up of one contract, newest first, periods loaded."""
    return list(db.session.scalars(
        select(FollowUp).options(joinedload(FollowUp.period), joinedload(FollowUp.owner))
        .where(FollowUp.contract_id == contract_id).order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
    ))


def _previous_label(period: Period) -> str | None:
    earlier = [p for p in analysis_service.known_periods() if p.start_date < period.start_date]
    return earlier[-1].label if earlier else None
