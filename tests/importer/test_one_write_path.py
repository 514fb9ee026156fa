"""A department, agreement or rating written by the form and by an import leaves the same audit record.

Regression of issue 10: the import audited ``"parent_id": 1`` where the form audits
``"parent": "DIV"``, and criticality ``3`` where the form audits ``"high"``.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.extensions import db
from tracker.importer import service
from tracker.models import AuditLog, Contract, Department, Period, Rating
from tracker.services import org as org_service
from tracker.services import ratings as rating_service

from .helpers import write_folder

TODAY = date(2026, 8, 15)

DEPARTMENTS = "code,name,kind,parent_code\nDIV,Division,internal,\nIT,IT,internal,DIV\nLOG,Logistics,internal,DIV\n"


def _audit(entity: str, action: str, entity_id: int) -> dict:
    row = db.session.scalars(select(AuditLog).where(AuditLog.entity == entity, AuditLog.action == action,
                                                    AuditLog.entity_id == entity_id)).one()
    return json.loads(row.changes)


def _without(changes: dict, *keys: str) -> dict:
    return {k: v for k, v in changes.items() if k not in keys}


def _department(code: str) -> Department:
    return db.session.scalars(select(Department).where(Department.code == code)).one()


def test_department_created_by_form_and_import_is_audited_alike(app, tmp_path):
    assert service.import_path(write_folder(tmp_path / "a", {"departments.csv": DEPARTMENTS}), today=TODAY).ok
    by_form = org_service.create_department("OPS", "Logistics", "internal", _department("DIV").id)
    form = _audit("department", "create", by_form.id)
    imported = _audit("department", "create", _department("LOG").id)
    assert form["parent"] == imported["parent"] == [None, "DIV"]
    assert _without(form, "code") == _without(imported, "code")

    # Moving it out of DIV: the form and a re-import give the same update record.
    org_service.update_department(by_form, "OPS", "Logistics", "internal", None)
    moved = DEPARTMENTS.replace("LOG,Logistics,internal,DIV", "LOG,Logistics,internal,")
    assert service.import_path(write_folder(tmp_path / "b", {"departments.csv": moved}), today=TODAY).ok
    assert _audit("department", "update", by_form.id) == _audit("department", "update", _department("LOG").id) \
        == {"parent": ["DIV", None]}


CONTRACTS = ("supplier_code,customer_code,service,criticality,target,floor,start_date,end_date,transfer_price,"
             "standard\nIT,LOG,support,high,80,40,2026-01-01,,1200.50,Within a day\n")


def test_agreement_created_and_changed_by_form_and_import_is_audited_alike(app, tmp_path):
    assert service.import_path(write_folder(tmp_path / "a", {"departments.csv": DEPARTMENTS,
                                                             "contracts.csv": CONTRACTS}), today=TODAY).ok
    imported = db.session.scalars(select(Contract)).one()
    data = org_service.ContractInput(supplier_id=_department("LOG").id, customer_id=_department("IT").id,
                                     service_name="support", standard="Within a day", criticality=3, target=80,
                                     floor=40, transfer_price=Decimal("1200.50"), start_date=date(2026, 1, 1))
    by_form = org_service.create_contract(data)
    form, by_import = _audit("contract", "create", by_form.id), _audit("contract", "create", imported.id)
    assert form["criticality"] == by_import["criticality"] == [None, "high"]
    assert _without(form, "supplier", "customer") == _without(by_import, "supplier", "customer")

    data.criticality = 2
    org_service.update_contract(by_form, data)
    changed = CONTRACTS.replace("support,high", "support,medium")
    assert service.import_path(write_folder(tmp_path / "b", {"contracts.csv": changed}), today=TODAY).ok
    assert _audit("contract", "update", by_form.id) == _audit("contract", "update", imported.id) \
        == {"criticality": ["high", "medium"]}


RATINGS = ("period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,"
           "recommend,standard_met,no_interaction,comment\n2026-Q3,IT,LOG,support,r2,5,3,,,9,met,,fine\n")


def test_rating_created_and_changed_by_form_and_import_is_audited_alike(app, tmp_path):
    assert service.import_path(write_folder(tmp_path / "a", {"departments.csv": DEPARTMENTS,
                                                             "contracts.csv": CONTRACTS,
                                                             "ratings.csv": RATINGS}), today=TODAY).ok
    contract = db.session.scalars(select(Contract)).one()
    period = db.session.scalars(select(Period).where(Period.label == "2026-Q3")).one()
    assert period.status == "open"
    imported = db.session.scalars(select(Rating).where(Rating.respondent_key == "r2")).one()

    answer = rating_service.RatingInput(scores={"quality": 5, "timeliness": 3}, recommend=9, standard_met="met",
                                        comment="fine")
    by_form, _changed = rating_service.save_rating(contract, period, answer, respondent_key="r1")
    db.session.commit()
    assert _audit("rating", "create", by_form.id) == _audit("rating", "create", imported.id)

    answer.scores["timeliness"], answer.recommend = 5, 4
    rating_service.save_rating(contract, period, answer, respondent_key="r1")
    db.session.commit()
    changed = RATINGS.replace("5,3,,,9", "5,5,,,4")
    assert service.import_path(write_folder(tmp_path / "b", {"ratings.csv": changed}), today=TODAY).ok
    form, by_import = _audit("rating", "update", by_form.id), _audit("rating", "update", imported.id)
    assert form == by_import
    assert form["score.timeliness"] == [3, 5] and form["recommend"] == [9, 4]


LOW = ("period,supplier_code,customer_code,service,respondent,quality,timeliness,communication,value,"
       "recommend,standard_met,no_interaction,comment\n"
       "2026-Q3,IT,LOG,support,r1,1,2,,,3,missed,,\n"
       "2026-Q3,IT,LOG,support,r2,4,4,,,,,,\n"
       "2026-Q3,IT,LOG,support,r3,5,5,,,5,,,\n")


def test_imported_low_ratings_need_no_comment_and_are_counted(app, tmp_path):
    folder = write_folder(tmp_path, {"departments.csv": DEPARTMENTS, "contracts.csv": CONTRACTS, "ratings.csv": LOW})
    preview = service.import_path(folder, dry_run=True, today=TODAY)
    assert preview.ok and preview.low_without_comment == 2
    result = service.import_path(folder, today=TODAY)
    assert result.ok and result.counts["ratings"].added == 3 and result.low_without_comment == 2
    # The form keeps its rule.
    contract = db.session.scalars(select(Contract)).one()
    period = db.session.scalars(select(Period).where(Period.label == "2026-Q3")).one()
    errors = rating_service.validate(rating_service.RatingInput(scores={"quality": 1}), {"quality": object()})
    assert "comment" in errors
    assert rating_service.check_answers(period, [(contract, rating_service.RatingInput(scores={"quality": 1}))])
