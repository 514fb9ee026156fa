"""The audit log: every service write leaves a row; the /audit page browses them for admin and COO."""
from __future__ import annotations

import inspect
import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from tracker.audit import bp as audit_bp
from tracker.extensions import db
from tracker.importer import service as importer
from tracker.models import AuditLog
from tracker.services import audit, imports, kpi, periods, ratings, respondents, settings, tokens, users
from tracker.services import org as org_service

from .importer.helpers import WORKED_EXAMPLE


@pytest.fixture(autouse=True)
def _audit_blueprint(app):
    """Serve /audit even before the lead registers the blueprint in the factory."""
    if "audit" not in app.blueprints:
        app.register_blueprint(audit_bp, url_prefix="/audit")


def _audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog))


# ---------------------------------------------------------------------------------------------
# Every write path leaves an audit row.

def _optional_module(name: str):
    """A service module another engineer is adding; None until it lands."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def _write_cases(o) -> dict:
    """Service write function → a call that changes something with it (in dependency order)."""
    admin = o.users["admin"].id
    state: dict = {}

    def new_department():
        state["dep"] = org_service.create_department("NEW", "New department", actor_id=admin)

    def new_contract():
        state["con"] = org_service.create_contract(org_service.ContractInput(
            supplier_id=o.departments["IT"].id, customer_id=state["dep"].id, service_name="Laptops",
            criticality=2, transfer_price=Decimal("10.00")), actor_id=admin)

    def new_period():
        state["period"] = periods.create_period("2026-Q4", None, None, actor_id=admin)

    def new_user():
        state["user"], _pw = users.create_user("new.member@test.local", "member", department_code="IT", actor_id=admin)

    def new_criterion():
        state["criterion"] = settings.add_criterion("Flexibility", actor_id=admin)

    def rate(scores):
        head = o.heads["WH"]
        answer = ratings.RatingInput(scores=scores, recommend=8)
        ratings.submit_ratings(o.period, [(o.contracts[("IT", "WH")], answer)], respondent_key=head.email,
                               respondent_id=head.id, actor_id=head.id)

    def new_token():
        state["token"], _plain = tokens.create_token(o.users["coo"].id, "laptop")

    early = {ratings.submit_ratings: lambda: (rate({"quality": 5, "timeliness": 4}), rate({"quality": 3}))}
    followups = _optional_module("tracker.services.followups")
    if followups is not None:
        def new_follow_up():
            head_it = o.heads["IT"]
            low = ratings.RatingInput(scores={"quality": 1, "timeliness": 1}, recommend=2, comment="a week late")
            # The low rating opens HR → IT's follow-up by itself; IT → WH (rated above) is opened by hand.
            ratings.submit_ratings(o.period, [(o.contracts[("HR", "IT")], low)], respondent_key=head_it.email,
                                   respondent_id=head_it.id, actor_id=head_it.id)
            state["auto"] = db.session.scalar(select(followups.FollowUp).where(
                followups.FollowUp.contract_id == o.contracts[("HR", "IT")].id))
            state["fu"] = followups.open_follow_up(o.contracts[("IT", "WH")], o.period, "Answer in two days",
                                                   actor_id=admin)

        later = date.today() + timedelta(days=9)
        early |= {
            followups.open_follow_up: new_follow_up,
            followups.acknowledge: lambda: followups.acknowledge(state["fu"], o.heads["IT"], "one clerk"),
            followups.plan: lambda: followups.plan(state["fu"], o.heads["IT"], [
                followups.ActionInput("hire a second clerk", "HR head", later)]),
            followups.resolve: lambda: followups.resolve(state["fu"], o.heads["IT"], "A second clerk"),
            followups.reopen: lambda: (followups.reopen(state["fu"], o.heads["WH"], "still slow"),
                                       followups.resolve(state["fu"], o.heads["IT"], "A third clerk")),
            followups.confirm: lambda: followups.confirm(state["fu"], o.heads["WH"]),
            followups.set_due_dates: lambda: followups.set_due_dates(
                state["auto"], o.users["admin"], date.today() + timedelta(days=1), later),
            followups.reassign: lambda: followups.reassign(state["auto"], o.users["admin"], state["hr_member"].id),
            followups.cancel_follow_up: lambda: followups.cancel_follow_up(state["auto"], "merged into another",
                                                                           actor_id=admin),
        }
        from tests.factories import user as new_user_row
        state["hr_member"] = new_user_row("clerk.hr@test.local", "member", o.departments["HR"])
        db.session.commit()
    rotations = _optional_module("tracker.services.rotations")
    if rotations is not None:
        def rotation(notes: str = ""):
            return rotations.RotationInput(person="Anna", from_department_id=o.departments["IT"].id,
                                           to_department_id=o.departments["HR"].id, on_date=date(2026, 8, 20),
                                           notes=notes)

        def new_rotation():
            # "today" inside the open period: a new rotation may not be dated in the past
            state["rotation"] = rotations.create_rotation(rotation(), actor_id=o.users["hr"].id,
                                                          today=date(2026, 8, 1))

        early |= {
            rotations.create_rotation: new_rotation,
            rotations.update_rotation: lambda: rotations.update_rotation(state["rotation"], rotation("payroll desk"),
                                                                         actor_id=o.users["hr"].id),
            rotations.set_status: lambda: rotations.set_status(state["rotation"], "done", actor_id=o.users["hr"].id),
            rotations.set_rotation_settings: lambda: rotations.set_rotation_settings(
                rotations.RotationSettings(1, 3, 2, "Europe/Moscow", {"IT": (2, 0)}), actor_id=o.users["hr"].id),
        }
    network = _optional_module("tracker.services.network")
    if network is not None:
        from tracker.importer.network import read_network

        survey = read_network("ties.csv", b"ego;alter\n1;2\n", "people.csv", b"id;dept\n1;IT\n2;HR\n",
                              department_column="dept")
        early |= {
            network.store_survey: lambda: network.store_survey(survey, actor_id=admin),
            network.set_threshold: lambda: network.set_threshold(7, actor_id=admin),
        }
    return early | {
        org_service.create_department: new_department,
        org_service.update_department: lambda: org_service.update_department(state["dep"], "NEW", "Renamed", "internal", None,
                                                             actor_id=admin),
        org_service.create_contract: new_contract,
        org_service.update_contract: lambda: org_service.update_contract(state["con"], org_service.ContractInput(
            supplier_id=o.departments["IT"].id, customer_id=state["dep"].id, service_name="Laptops",
            criticality=3), actor_id=admin),
        org_service.archive_contract: lambda: org_service.archive_contract(state["con"], actor_id=admin),
        org_service.restore_contract: lambda: org_service.restore_contract(state["con"], actor_id=admin),
        org_service.archive_department: lambda: org_service.archive_department(state["dep"], actor_id=admin),
        org_service.restore_department: lambda: org_service.restore_department(state["dep"], actor_id=admin),
        periods.create_period: new_period,
        periods.close_period: lambda: periods.close_period(o.period, actor_id=admin),
        periods.reopen_period: lambda: periods.reopen_period(o.period, "late answers from LOG", actor_id=admin),
        periods.open_period: lambda: (periods.close_period(o.period, actor_id=admin),
                                      periods.open_period(state["period"], actor_id=admin)),
        users.create_user: new_user,
        users.update_user: lambda: users.update_user(state["user"], name="Renamed", role="member",
                                                     department_id=o.departments["IT"].id, actor_id=admin),
        users.reset_password: lambda: users.reset_password(state["user"], "another pw", actor_id=admin),
        users.change_password: lambda: users.change_password(state["user"], "another pw", "a third password"),
        users.archive_user: lambda: users.archive_user(state["user"], actor_id=admin),
        users.restore_user: lambda: users.restore_user(state["user"], actor_id=admin),
        users.set_locale: lambda: users.set_locale(state["user"], "ru", actor_id=state["user"].id),
        settings.save_settings: lambda: settings.save_settings({"target": "71"}, actor_id=admin),
        settings.set_organization: lambda: settings.set_organization(target=80, floor=55, hr_sees_comments=True,
                                                                     default_locale="en", actor_id=admin),
        settings.add_criterion: new_criterion,
        settings.update_criterion: lambda: settings.update_criterion(state["criterion"], name="Flexibility",
                                                                     name_ru="", weight=2.0, actor_id=admin),
        settings.retire_criterion: lambda: settings.retire_criterion(state["criterion"], actor_id=admin),
        settings.restore_criterion: lambda: settings.restore_criterion(state["criterion"], actor_id=admin),
        respondents.add_respondent: lambda: respondents.add_respondent(
            o.contracts[("HR", "IT")], o.users["member"], actor_id=o.heads["IT"].id),
        respondents.remove_respondent: lambda: respondents.remove_respondent(
            o.contracts[("HR", "IT")], o.users["member"], actor_id=o.heads["IT"].id),
        tokens.create_token: new_token,
        imports.create_job: lambda: imports.create_job("t0ken", kind="organization", filename="org.xlsx",
                                                       stored_name="stored.xlsx", mapping=None, user_id=admin),
        imports.save_survey_mapping: lambda: imports.save_survey_mapping("tool", {"period": "month"}, actor_id=admin),
        tokens.revoke_token: lambda: tokens.revoke_token(o.users["coo"].id, state["token"].id),
        kpi.set_organization_targets: lambda: kpi.set_organization_targets(
            {**kpi.DEFAULTS, "nps": 30.0}, actor_id=o.users["coo"].id),
        kpi.set_department_targets: lambda: kpi.set_department_targets(
            o.departments["IT"], {"csat": 60.0}, actor_id=o.users["coo"].id),
    }


#: Public functions that commit but are not a user's change of the organization, and why.
NOT_AUDITED = {
    "tracker.services.settings.ensure_defaults": "writes the default settings on an empty database",
    "tracker.services.tokens.find_user": "stamps a token's last use; not a change of the organization",
    "tracker.services.tokens.load_user_from_request": "calls find_user",
    "tracker.services.users.end_sessions": "bumps session_version at logout; not a change of the organization",
    "tracker.services.data_version.watch": "registers the listener that renews the data-version token at commit",
    "tracker.services.notifications.scan": "makes notices (messages to users); not a change of the organization",
    "tracker.services.notifications.mark_read": "a user marks their own notices read",
    "tracker.services.notifications.send_digests": "stamps notices as mailed",
    "tracker.services.imports.create_download_job": "a background download writes no data; the file is made for its asker only",
    "tracker.services.imports.queue_job": "the state of a background import job; the import itself is audited",
    "tracker.services.imports.job_running": "the state of a background import job; the import itself is audited",
    "tracker.services.imports.finish_job": "the state of a background import job; the import itself is audited",
    "tracker.services.imports.claim_apply": "the state of a background import job; the import itself is audited",
    "tracker.services.imports.fail_jobs": "the state of background import jobs whose worker died",
}
#: Write functions that only add to the caller's session (the caller commits and is listed above).
SESSION_ONLY = {"tracker.services.ratings.save_rating"}


def _committing_functions() -> set[str]:
    """Every public function of a service module whose source commits or saves a rating."""
    import importlib
    import pkgutil

    import tracker.services

    found = set()
    modules = [importlib.import_module(f"tracker.services.{m.name}") for m in pkgutil.iter_modules(
        tracker.services.__path__)] + [importer]
    for module in modules:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            source = inspect.getsource(fn)
            if "db.session.commit()" in source or "_commit" in source or "save_rating(" in source:
                found.add(f"{fn.__module__}.{name}")
    return found


def test_every_committing_service_function_has_an_audit_case(org):
    """A new write function without an entry in the table above fails here: add its case."""
    covered = {f"{fn.__module__}.{fn.__name__}" for fn in _write_cases(org)}
    # apply_import is what import_set/import_path call to write (test_import_apply_is_audited_…)
    covered |= {"tracker.importer.service.import_set", "tracker.importer.service.import_path",
                "tracker.services.imports.apply_import"}
    missing = _committing_functions() - covered - set(NOT_AUDITED) - SESSION_ONLY - {
        "tracker.services.backup.restore"}  # replaces the whole database file, audit log included
    assert not missing, f"write functions without an audit check: {sorted(missing)}"


def test_every_service_write_leaves_an_audit_row(org):
    for fn, call in _write_cases(org).items():
        before = _audit_rows()
        call()
        db.session.expire_all()
        after = _audit_rows()
        assert after > before, f"{fn.__module__}.{fn.__name__} wrote without an audit row"


def test_each_rating_write_is_audited_with_old_and_new(org):
    head = org.heads["WH"]
    con = org.contracts[("IT", "WH")]
    for scores in ({"quality": 5}, {"quality": 2}):
        answer = ratings.RatingInput(scores=scores, recommend=8, comment="slow" if scores["quality"] < 3 else None)
        ratings.submit_ratings(org.period, [(con, answer)], respondent_key=head.email, respondent_id=head.id,
                               actor_id=head.id)
    rows = db.session.scalars(select(AuditLog).where(AuditLog.entity == "rating").order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["create", "update"]
    assert json.loads(rows[1].changes)["score.quality"] == [5, 2]
    assert rows[1].user_id == head.id


def test_import_apply_is_audited_and_a_dry_run_is_not(app):
    importer.import_path(WORKED_EXAMPLE, dry_run=True, today=date(2026, 8, 15))
    assert _audit_rows() == 0
    importer.import_path(WORKED_EXAMPLE, today=date(2026, 8, 15))
    entities = dict(db.session.execute(select(AuditLog.entity, func.count()).group_by(AuditLog.entity)).all())
    assert entities["import"] == 1
    assert entities["department"] == 9 and entities["contract"] == 11 and entities["rating"] == 50


# ---------------------------------------------------------------------------------------------
# The page.

def _login(client, email: str):
    client.post("/login", data={"email": email, "password": "pw"})


@pytest.mark.parametrize("email, status", [
    ("member.it@test.local", 403), ("head.it@test.local", 403), ("hr@test.local", 403),
    ("coo@test.local", 200), ("admin@test.local", 200),
])
def test_audit_page_is_for_admin_and_coo(client, org, email, status):
    _login(client, email)
    assert client.get("/audit/").status_code == status


def test_audit_page_asks_anonymous_to_log_in(client, org):
    response = client.get("/audit/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_audit_page_shows_who_when_old_new_and_reason_escaped(client, org):
    admin = org.users["admin"]
    created = org_service.create_department(
        "XSS", "<script>alert(1)</script>", actor_id=admin.id)
    periods.close_period(org.period, actor_id=admin.id)
    periods.reopen_period(org.period, "Late <b>answers</b> from LOG", actor_id=admin.id)
    _login(client, "coo@test.local")

    html = client.get("/audit/").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Late &lt;b&gt;answers&lt;/b&gt; from LOG" in html
    assert "admin@test.local" in html
    assert re.search(r"status</span>: closed <span[^>]*>→</span> open", html)
    assert "department XSS — &lt;script&gt;" in html
    assert datetime.now(timezone.utc).strftime("%Y-%m-%d") in html


def _row_count(html: str) -> int:
    return html.count('<td class="text-nowrap">')  # the "when" cell of each entry


def test_audit_page_filters_by_entity_action_user_and_dates(client, org):
    admin, coo = org.users["admin"], org.users["coo"]
    users.create_user("a@test.local", "hr", actor_id=admin.id)
    users.create_user("b@test.local", "hr", actor_id=coo.id)
    periods.close_period(org.period, actor_id=admin.id)
    old = AuditLog(action="update", entity="contract", entity_id=1, user_id=admin.id,
                   at=datetime(2025, 1, 15, 12, tzinfo=timezone.utc), changes=json.dumps({"standard": ["a", "b"]}))
    db.session.add(old)
    db.session.commit()
    _login(client, "admin@test.local")

    def rows(query: str) -> int:
        return _row_count(client.get(f"/audit/?{query}").get_data(as_text=True))

    assert rows("") == 4
    assert rows("entity=user") == 2
    assert rows("action=close") == 1
    assert rows(f"user={coo.id}") == 1
    assert rows(f"user={admin.id}&entity=user") == 1
    assert rows("since=2025-01-01&until=2025-01-31") == 1
    assert rows("until=2025-01-15") == 1  # the end date counts whole
    assert rows("since=2025-01-16&entity=contract") == 0
    assert rows(f"entity=contract&entity_id={old.entity_id}") == 1
    bad = client.get("/audit/?since=yesterday")
    assert bad.status_code == 200 and "is not a date" in bad.get_data(as_text=True)


def test_audit_page_pages_on_the_server_with_a_fixed_number_of_queries(client, app, org):
    admin = org.users["admin"]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(120):
        db.session.add(AuditLog(action="update", entity="rating", entity_id=i, user_id=admin.id if i % 2 else None,
                                at=start + timedelta(minutes=i), changes=json.dumps({"comment": [None, f"c{i}"]})))
    db.session.commit()
    _login(client, "admin@test.local")

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        first = client.get("/audit/").get_data(as_text=True)
        queries_first = len(statements)
        statements.clear()
        last = client.get("/audit/?page=3").get_data(as_text=True)
        queries_last = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert _row_count(first) == 50 and _row_count(last) == 20
    assert "c119" in first and "c0<" not in first.replace("</li>", "<")  # newest first
    assert "c0" in last
    assert "120 entries" in first and "page 1 of 3" in first
    # user, count, page, the users of the filter, one batch query for the ratings the page mentions, and
    # the header's own; the entity and action lists are the services' codes, no scan of the log
    assert queries_first == queries_last <= 7


def test_changes_read_old_and_new_values_in_recorded_order(app):
    from tracker.audit.names import AuditNames

    row = AuditLog(action="update", entity="x", changes=json.dumps({"b": [1, 2], "a": [None, "new"]}))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert [(c.label, c.old, c.new) for c in AuditNames().changes(row)] == [("b", "1", "2"), ("a", "–", "new")]
        assert AuditNames().changes(AuditLog(action="create", entity="x")) == []


def test_record_defaults_to_no_user_outside_a_request(app):
    row = audit.record("create", "period", None)
    assert row.user_id is None



def test_audit_page_shows_words_not_codes_and_yes_no(client, org):
    admin = org.users["admin"]
    db.session.add(AuditLog(action="update", entity="contract", entity_id=9999, user_id=admin.id,
                            at=datetime(2026, 3, 4, 15, 6, 7, tzinfo=timezone.utc),
                            changes=json.dumps({"critical": [False, True]})))
    db.session.commit()
    _login(client, "coo@test.local")

    html = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "<td>changed</td>" in html and "agreement #9999" in html  # no such agreement: its id
    assert re.search(r"critical</span>: no <span[^>]*>→</span> yes", html)
    assert "False" not in html and "(UTC)" not in html
    assert "Mar 4, 2026, 3:06:07" in html  # the reader's format, not 2026-03-04 15:06:07
    assert '<option value="contract">agreement</option>' in html


def _rate(org, supplier: str, customer: str, scores: dict, **kw):
    head = org.heads[customer]
    answer = ratings.RatingInput(scores=scores, **kw)
    ratings.submit_ratings(org.period, [(org.contracts[(supplier, customer)], answer)], respondent_key=head.email,
                           respondent_id=head.id, actor_id=head.id)


def test_audit_page_names_the_agreement_period_and_respondent_and_rounds_health(client, org):
    head = org.heads["WH"]
    head.name = "Vera Sklad"
    db.session.commit()
    # (3, 4, 3) of equal weights: health 58.333… points
    _rate(org, "IT", "WH", {"quality": 3, "timeliness": 4, "communication": 3}, recommend=8)
    _rate(org, "IT", "WH", {"quality": 2, "timeliness": 4, "communication": 3}, recommend=8, comment="late")
    _login(client, "coo@test.local")

    html = client.get("/audit/?entity=rating", headers={"Accept-Language": "en"}).get_data(as_text=True)

    service = org.contracts[("IT", "WH")].service.name
    assert f"rating IT → WH ({service}) · {org.period.label} · by Vera Sklad" in html
    assert "respondent_id" not in html and f"rating #" not in html
    assert "58.333" not in html and "health</span>: 58.3 <span" in html  # one decimal, as everywhere
    assert re.search(r"Quality</span>: 3 <span[^>]*>→</span> 2", html)  # the criterion by its name
    assert _row_count(html) == 2  # one entry per action, its fields listed in it


def test_audit_page_rounds_figures_in_the_readers_language(client, org):
    _rate(org, "IT", "WH", {"quality": 3, "timeliness": 4, "communication": 3}, recommend=8)
    _login(client, "coo@test.local")
    html = client.get("/audit/?entity=rating", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "58,3" in html and "58.333" not in html and "58,333" not in html


def test_audit_page_names_departments_users_and_periods_in_changed_values(client, org):
    admin = org.users["admin"]
    org.departments["HR"].name = "Human resources"
    db.session.add(AuditLog(action="update", entity="rotation", entity_id=None, user_id=admin.id, changes=json.dumps(
        {"from_department_id": [org.departments["IT"].id, org.departments["HR"].id],
         "owner_id": [None, org.heads["IT"].id], "period_id": [None, org.period.id]})))
    db.session.commit()
    _login(client, "admin@test.local")
    html = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r"from</span>: IT <span[^>]*>→</span> HR — Human resources", html)
    assert re.search(r"owner</span>: – <span[^>]*>→</span> head.it \(head.it@test.local\)", html)
    assert f"period</span>: – " in html and org.period.label in html


def test_audit_page_asks_a_fixed_number_of_queries_whatever_the_entries_name(client, org):
    """The names of a page's entries come in batch queries: 2 or 80 entries naming agreements, the same count."""
    admin = org.users["admin"]
    _rate(org, "IT", "WH", {"quality": 5}, recommend=9)
    rating_id = db.session.scalar(select(AuditLog.entity_id).where(AuditLog.entity == "rating"))
    contracts = list(org.contracts.values())

    def add(n: int) -> None:
        for i in range(n):
            con = contracts[i % len(contracts)]
            db.session.add(AuditLog(action="update", entity="rating", entity_id=rating_id, user_id=admin.id,
                                    changes=json.dumps({"respondent_id": [None, org.heads["WH"].id],
                                                        "contract_id": [None, con.id],
                                                        "period_id": [None, org.period.id],
                                                        "score.quality": [None, 4]})))
            db.session.add(AuditLog(action="update", entity="contract", entity_id=con.id, user_id=admin.id,
                                    changes=json.dumps({"supplier_id": [None, con.supplier_id]})))
        db.session.commit()

    _login(client, "admin@test.local")

    def count(query: str) -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get(f"/audit/?{query}")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    add(1)
    few = count("")
    add(40)
    many = count("")
    assert few == many, (few, many)


def test_audit_page_pages_with_next_previous_and_a_count_and_loads_one_page(client, org):
    admin = org.users["admin"]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(130):
        db.session.add(AuditLog(action="update", entity="setting", entity_id=None, user_id=admin.id,
                                at=start + timedelta(minutes=i), changes=json.dumps({"k": [None, f"v{i}"]})))
    db.session.commit()
    _login(client, "admin@test.local")
    loaded: list[int] = []
    listener = lambda _conn, _cur, statement, params, *_: loaded.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = client.get("/audit/?page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert _row_count(html) == 50
    assert "130 entries" in html and "page 2 of 3" in html
    assert "v79" in html and "v30" in html and "v80" not in html and "v29" not in html
    assert 'href="/audit/?page=1">Previous' in html and 'href="/audit/?page=3">Next' in html
    # the entries are read with a LIMIT: the page never loads the whole log
    reads = [s for s in loaded if "FROM audit_log" in s and "count(" not in s.lower() and "DISTINCT" not in s]
    assert reads and all("LIMIT" in s for s in reads)
