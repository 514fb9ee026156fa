"""On the demo company, the rotation suggestions point at the demo's weak links."""
from tracker.demo.builder import build_demo
from tracker.services import rotations as service
from tracker.services.analysis import resolve_period


def test_demo_suggestions_are_the_internal_weak_links(app):
    build_demo("en")
    found, pa = service.suggestions(resolve_period("2026-Q4"), limit=None)
    internal = {code for code, d in pa.departments.items() if d.kind == "internal"}
    weak = [w for w in pa.weak_links if {w.contract.supplier, w.contract.customer} <= internal]
    weak_pairs = {frozenset((w.contract.supplier, w.contract.customer)) for w in weak}
    suggested = {frozenset((s.supplier, s.customer)) for s in found.rows}
    skipped = {frozenset((k.supplier, k.customer)): k.period for k in found.skipped}
    # every internal weak link is suggested or skipped for its rotation, and nothing else is suggested
    assert suggested | set(skipped) == weak_pairs and not suggested & set(skipped)
    # the demo's top weak link, Warehouse → Logistics, has rotations this quarter; so do HR and Finance
    assert weak[0].contract.supplier == "WH" and skipped[frozenset(("WH", "LOG"))] == "2026-Q4"
    assert skipped[frozenset(("HR", "FIN"))] == "2026-Q4"
    # the first suggestion is the riskiest weak link left, every one carries its agreement's contract
    top = next(w for w in weak if frozenset((w.contract.supplier, w.contract.customer)) not in skipped)
    assert (found.rows[0].supplier, found.rows[0].customer) == (top.contract.supplier, top.contract.customer)
    weak_ids = {w.contract.id for w in weak}
    assert all(set(s.contracts) <= weak_ids for s in found.rows)
