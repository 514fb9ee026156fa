"""The demo ships an informal-network sample that shows a shadow service and a dormant agreement."""
from __future__ import annotations

from tracker.demo.builder import build_demo
from tracker.services import network as network_service


def test_the_demo_survey_yields_shadow_services_and_a_dormant_agreement(app):
    build_demo("en")
    survey = network_service.latest_survey()
    assert survey is not None and (survey.people, survey.ties) == (24, 30)
    cmp = network_service.comparison()
    assert cmp.period.label == "2026-Q4" and cmp.unmatched == []
    assert [(s.supplier, s.customer, s.volume) for s in cmp.shadow] == [("DATA", "ECOM", 4), ("LOG", "ECOM", 3)]
    assert [(d.supplier, d.customer, cmp.contracts[d.contract_id][2]) for d in cmp.dormant] == [
        ("SEC", "ECOM", "Payment security review")]
    assert cmp.reliance[0].code == "IT"
