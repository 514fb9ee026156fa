"""Who may reach what: every route of the URL map for every role, and the data rules behind them.

``ACCESS`` is the table: endpoint → expected outcome per role. A route that is not in the
table fails :func:`test_every_route_for_every_role` — add it when you add the route.

Outcomes: ``OK`` (2xx or a redirect other than to the login page), ``403``, ``404``,
``LOGIN`` (302 to /login) and ``401`` (JSON, for the API). GET routes are requested; for
routes that take POST, every role that is refused also POSTs and the database must be
unchanged afterwards. Allowed POSTs are left to each area's own tests (they change state).
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import url_for
from sqlalchemy import select

from tracker.audit import bp as audit_bp
from tracker.extensions import db
from tracker.models import Criterion, FollowUp, Rating, Rotation, Setting
from tracker.services import ratings as rating_service
from tracker.services import respondents as respondent_service
from tracker.services import tokens as token_service

from .rate.test_rate import answers

OK, LOGIN = "ok", "login"
ROLES = ("anonymous", "member", "head", "hr", "coo", "admin")
EMAILS = {"member": "member.it@test.local", "head": "head.it@test.local", "hr": "hr@test.local",
          "coo": "coo@test.local", "admin": "admin@test.local"}


def only(*allowed: str, anonymous=LOGIN, others=403) -> dict:
    """Expected outcome per role: ``OK`` for ``allowed``, ``others`` for the rest."""
    table = {role: (OK if role in allowed else others) for role in ROLES[1:]}
    return {"anonymous": anonymous, **table}


EVERYONE = only("member", "head", "hr", "coo", "admin")
ADMIN = only("admin")
RATERS = only("head", "member")
HEADS = only("head")
OVERVIEW = only("hr", "coo", "admin")
PAGES = only("head", "hr", "coo", "admin")
API_EVERYONE = only("member", "head", "hr", "coo", "admin", anonymous=401)
API_OVERVIEW = only("hr", "coo", "admin", anonymous=401)

ACCESS: dict[str, dict] = {
    # the admin area: the customer-experience office only
    **{endpoint: ADMIN for endpoint in (
        "admin.index", "admin.departments", "admin.department_new", "admin.department_edit",
        "admin.department_archive", "admin.department_restore", "admin.contracts", "admin.contract_new",
        "admin.contract_edit", "admin.contract_archive", "admin.contract_restore", "admin.department_services", "admin.users", "admin.user_new",
        "admin.user_edit", "admin.user_password", "admin.user_archive", "admin.user_restore", "admin.periods",
        "admin.period_transition", "admin.period_reopen", "admin.settings", "admin.criterion_new",
        "admin.criterion_edit", "admin.criterion_state", "admin.imports", "admin.import_upload",
        "admin.import_survey_upload", "admin.survey_mapping", "admin.survey_mapping_save", "admin.import_apply", "admin.import_layout", "admin.import_sample",
        "admin.exports", "admin.export_departments_csv", "admin.export_departments_xlsx",
        "admin.export_organization", "admin.export_ratings_csv", "admin.export_ratings_xlsx")},
    # an import job lives in the admin's session: without one there is nothing to show
    "admin.import_job": {**ADMIN, "admin": 404}, "admin.import_job_status": {**ADMIN, "admin": 404},
    "admin.import_retry": {**ADMIN, "admin": 404},
    # the JSON API: 401 instead of the login page; analysis for the overview roles
    "api.index": API_EVERYONE, "api.openapi": API_EVERYONE, "api.departments": API_EVERYONE,
    "api.contracts": API_EVERYONE, "api.periods": API_EVERYONE, "api.ratings": API_EVERYONE,
    "api.analysis": API_OVERVIEW, "api.graph_graphml": API_OVERVIEW, "api.graph_gexf": API_OVERVIEW,
    # logging in and out; the start page and the language switch
    "auth.login": only("member", "head", "hr", "coo", "admin", anonymous=OK),
    "auth.logout": EVERYONE,
    "main.index": EVERYONE,
    "main.set_locale": only("member", "head", "hr", "coo", "admin", anonymous=OK),
    # the COO's dashboard; department and agreement pages also for heads (comments filtered)
    "dashboard.index": OVERVIEW, "dashboard.graph_svg": OVERVIEW, "dashboard.graph_png": OVERVIEW,
    "dashboard.graph": OVERVIEW, "dashboard.graph_json": OVERVIEW,
    "dashboard.departments": PAGES, "dashboard.department": PAGES, "dashboard.department_history_svg": PAGES,
    "dashboard.contract": PAGES, "dashboard.contract_history_svg": PAGES,
    # rating: the head of the customer department, and the colleague the head added
    "rate.index": RATERS, "rate.rate_all": RATERS, "rate.rate_contract": RATERS,
    "rate.respondents": HEADS, "rate.remove_respondent": HEADS, "rate.feedback": HEADS,
    # the audit log
    "audit.index": only("coo", "admin"),
    # API tokens: one's own only; another user's token is "not found"
    "profile.tokens": EVERYONE, "profile.password": EVERYONE,
    # the search behind the searchable department fields: the roles that see every department
    "main.department_search": only("hr", "coo", "admin"),
    # a made download is its maker's alone: any other token is unknown to everyone
    **{endpoint: only(others=404) for endpoint in (
        "main.download_job", "main.download_job_status", "main.download_file", "main.download_retry")},
    "profile.revoke": only("coo", others=404),
    # follow-ups: the COO and admin open them and close them without action; heads of both sides see
    # one (HR → IT here); each transition has its own people (tests/followups: role × transition table),
    # here the close without action: the IT head, the customer, is refused it
    "followups.index": only("head", "member", "coo", "admin"),
    "followups.low_ratings": only("coo", "admin"),
    "followups.new": only("coo", "admin"),
    "followups.detail": only("head", "coo", "admin"),
    "followups.act": only("coo", "admin"),
    "followups.notifications": EVERYONE,
    "followups.mark_read": EVERYONE,
    # rotations: HR and admin plan them; the COO reads the plan; heads read their department's (HR → IT here)
    "rotations.index": only("head", "hr", "coo", "admin"),
    "rotations.suggestions": only("hr", "coo", "admin"), "rotations.plan": only("hr", "coo", "admin"),
    "rotations.calendar": PAGES, "rotations.detail": PAGES, "rotations.export_ics": PAGES,
    "rotations.export_csv": PAGES, "rotations.export_xlsx": PAGES,
    "rotations.new": only("hr", "admin"), "rotations.edit": only("hr", "admin"),
    "rotations.status": only("hr", "admin"), "rotations.move": only("hr", "admin"),
    "rotations.settings": only("hr", "admin"),
    # the KPI scorecard: the overview roles read it, the COO and admin set targets and export it;
    # a head reads the own department's scorecard (the IT head here)
    "scorecard.index": OVERVIEW, "scorecard.department": PAGES, "scorecard.targets": only("coo", "admin"),
    "scorecard.department_targets": only("coo", "admin"), "scorecard.export_csv": only("coo", "admin"),
    "scorecard.export_xlsx": only("coo", "admin"), "scorecard.trends": OVERVIEW, "scorecard.trend_svg": OVERVIEW,
    "scorecard.heatmap": OVERVIEW, "scorecard.heatmap_svg": OVERVIEW, "scorecard.compare": OVERVIEW,
    "scorecard.review_pack": OVERVIEW, "scorecard.review_pack_job": OVERVIEW,
    "scorecard.compare_graph": OVERVIEW, "scorecard.compare_graph_json": OVERVIEW,
    # the informal network: the COO and admin; only admin saves the organization's threshold
    **{endpoint: only("coo", "admin") for endpoint in (
        "network.index", "network.preview", "network.apply", "network.overlay", "network.graph_svg",
        "network.export_csv", "network.export_xlsx")},
    "network.threshold": only("admin"),
}
#: Blueprints in the table before the factory registers them; their entries count once they are.
UPCOMING_BLUEPRINTS = ("followups", "rotations")
#: Query arguments a page needs besides its URL arguments.
QUERY = {"followups.new": ("contract_id",)}

#: Which value each URL argument gets; a new argument name fails the test until it is added here.
ACTIONS = {"admin.period_transition": "close", "admin.criterion_state": "retire", "followups.act": "cancel"}


@pytest.fixture(autouse=True)
def _audit_blueprint(app):
    """Serve /audit even before the lead registers the blueprint in the factory."""
    if "audit" not in app.blueprints:
        app.register_blueprint(audit_bp, url_prefix="/audit")


@pytest.fixture
def world(org):
    """The worked example with ratings (one with a comment), a respondent, a follow-up and a token."""
    member, head_it = org.users["member"], org.heads["IT"]
    hr_it = org.contracts[("HR", "IT")]
    respondent_service.add_respondent(hr_it, member, actor_id=head_it.id)
    answer = rating_service.RatingInput(scores={"quality": 2, "timeliness": 3}, recommend=4,
                                        comment="Payroll questions wait a week")
    rating_service.submit_ratings(org.period, [(hr_it, answer)], respondent_key=head_it.email,
                                  respondent_id=head_it.id, actor_id=head_it.id)
    head_wh = org.heads["WH"]
    rating_service.submit_ratings(org.period, [(org.contracts[("IT", "WH")],
                                                rating_service.RatingInput(scores={"quality": 4}, recommend=8))],
                                  respondent_key=head_wh.email, respondent_id=head_wh.id, actor_id=head_wh.id)
    # The low rating above opened HR → IT's follow-up by itself.
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.contract_id == hr_it.id))
    rotation = Rotation(from_department_id=org.departments["HR"].id, to_department_id=org.departments["IT"].id,
                        person="Anna", on_date=date(2026, 8, 20))
    db.session.add(rotation)
    token, _plain = token_service.create_token(org.users["coo"].id, "coo laptop")
    db.session.commit()
    args = {
        "con_id": hr_it.id, "contract_id": hr_it.id, "dep_id": org.departments["IT"].id, "user_id": member.id,
        "period_id": org.period.id, "criterion_id": db.session.scalar(select(Criterion.id).order_by(Criterion.id)),
        "token_id": token.id, "code": "IT", "label": org.period.label, "follow_up_id": follow_up.id,
        "rotation_id": rotation.id, "name": "ratings.csv", "token": "no-such-download",
    }
    return SimpleNamespace(org=org, args=args, hr_it=hr_it)


def _url(app, rule, args: dict) -> str:
    endpoint, values = rule.endpoint, {}
    for name in rule.arguments - set(rule.defaults or {}):
        if name == "action":
            values[name] = ACTIONS[endpoint]
        elif endpoint == "main.set_locale" and name == "code":
            values[name] = "en"
        else:
            assert name in args, f"{endpoint}: no test value for the URL argument {name!r}; add one to world()"
            values[name] = args[name]
    values |= {name: args[name] for name in QUERY.get(endpoint, ())}
    with app.test_request_context():
        return url_for(endpoint, **values)


def _snapshot() -> dict:
    """Every row of every table, to show that a refused request changed nothing."""
    db.session.rollback()
    return {table.name: sorted(map(repr, db.session.execute(table.select()).all()))
            for table in db.metadata.sorted_tables}


def _outcome(response) -> object:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login"):
        return LOGIN
    if response.status_code < 400:
        return OK
    return response.status_code


def test_every_route_has_an_entry_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, f"routes without an entry in tests/test_access.py ACCESS: {missing}"
    stale = sorted(e for e in set(ACCESS) - endpoints
                   if not (e.split(".")[0] in UPCOMING_BLUEPRINTS and e.split(".")[0] not in app.blueprints))
    assert not stale, f"ACCESS lists endpoints the app no longer has: {stale}"


def test_every_route_for_every_role(app, world):
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)
    assert {r.endpoint for r in rules} <= set(ACCESS), "see test_every_route_has_an_entry_in_the_access_table"
    wrong = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            assert client.post("/login", data={"email": EMAILS[role], "password": "pw"}).status_code == 302
        for rule in rules:
            expected = ACCESS[rule.endpoint][role]
            url = _url(app, rule, world.args)
            if "GET" in rule.methods:
                got = _outcome(client.get(url))
                if got != expected:
                    wrong.append(f"{role:9} GET  {url} ({rule.endpoint}): expected {expected}, got {got}")
            if "POST" in rule.methods and expected != OK:
                before = _snapshot()
                got = _outcome(client.post(url, data={"reason": "x", "name": "x", "code": "X", "label": "2031-Q1",
                                                      "user_id": str(world.args["user_id"]), **answers()}))
                if got != expected:
                    wrong.append(f"{role:9} POST {url} ({rule.endpoint}): expected {expected}, got {got}")
                if _snapshot() != before:
                    wrong.append(f"{role:9} POST {url} ({rule.endpoint}): refused, yet the database changed")
    assert not wrong, "\n".join(wrong)


def test_api_anonymous_gets_json_401_not_a_redirect(client, world):
    response = client.get("/api/v1/ratings")
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"]["code"] == 401


# ---------------------------------------------------------------------------------------------
# Data rules.

def _client(app, role_or_email: str):
    client = app.test_client()
    email = EMAILS.get(role_or_email, role_or_email)
    assert client.post("/login", data={"email": email, "password": "pw"}).status_code == 302
    return client


def _ratings(contract) -> list[Rating]:
    db.session.expire_all()
    return list(db.session.scalars(select(Rating).where(Rating.contract_id == contract.id)))


def test_a_head_rates_only_as_the_customer_department(app, world):
    org = world.org
    it_wh = org.contracts[("IT", "WH")]  # IT supplies WH: the IT head may not rate it
    before = [(r.id, r.version) for r in _ratings(it_wh)]
    head_it = _client(app, "head")
    assert head_it.get(f"/rate/{it_wh.id}").status_code == 403
    assert head_it.post(f"/rate/{it_wh.id}", data=answers(scores=(1, 1, 1, 1), comment="revenge")).status_code == 403
    assert [(r.id, r.version) for r in _ratings(it_wh)] == before
    # nor choose its respondents, nor remove one
    assert head_it.get(f"/rate/{it_wh.id}/respondents").status_code == 403
    head_wh = _client(app, "head.wh@test.local")
    assert head_wh.post(f"/rate/{world.hr_it.id}/respondents/{org.users['member'].id}/remove").status_code == 403
    assert org.users["member"].id in {u.id for u in respondent_service.respondents_of(world.hr_it)}
    # the head of the customer department may
    assert head_it.post(f"/rate/{world.hr_it.id}", data=answers()).status_code == 302


def test_a_member_rates_only_what_the_head_added_them_to(app, world):
    org = world.org
    fin_hr = org.contracts[("FIN", "HR")]
    member = _client(app, "member")
    # IT is not the customer of FIN → HR at all
    assert member.post(f"/rate/{fin_hr.id}", data=answers()).status_code == 403
    # a second contract IT receives, which the head did not give the member
    from tests import factories

    other = factories.contract(org.departments["FIN"], org.departments["IT"], "Budgets")
    db.session.commit()
    assert member.get(f"/rate/{other.id}").status_code == 403
    assert member.post(f"/rate/{other.id}", data=answers()).status_code == 403
    assert _ratings(other) == [] and _ratings(fin_hr) == []
    # the one they were added to
    assert member.post(f"/rate/{world.hr_it.id}", data=answers()).status_code == 302
    keys = {r.respondent_key for r in _ratings(world.hr_it)}
    assert keys == {"head.it@test.local", "member.it@test.local"}
    # a member cannot add respondents
    assert member.get(f"/rate/{world.hr_it.id}/respondents").status_code == 403


COMMENT = "Payroll questions wait a week"


def _hr_sees(app, world) -> dict[str, bool]:
    hr = _client(app, "hr")
    page = hr.get(f"/dashboard/contracts/{world.hr_it.id}")
    assert page.status_code == 200
    api = hr.get("/api/v1/ratings?supplier=HR&customer=IT").get_json()
    assert api["items"], "HR sees the ratings themselves"
    assert all(item.get("health") is not None for item in api["items"])
    return {"page": COMMENT in page.get_data(as_text=True),
            "api": any(item.get("comment") == COMMENT for item in api["items"])}


def test_hr_sees_scores_but_not_comments_unless_the_setting_allows(app, world):
    assert _hr_sees(app, world) == {"page": False, "api": False}
    # HR has no feedback page of a department (that is the head's)
    assert _client(app, "hr").get("/rate/feedback").status_code == 403
    db.session.merge(Setting(key="hr_sees_comments", value="yes"))
    db.session.commit()
    assert _hr_sees(app, world) == {"page": True, "api": True}


def test_comments_reach_the_heads_of_both_sides_and_no_other_head(app, world):
    for email in ("head.hr@test.local", "head.it@test.local"):
        html = _client(app, email).get(f"/dashboard/contracts/{world.hr_it.id}").get_data(as_text=True)
        assert COMMENT in html, email
    feedback = _client(app, "head.hr@test.local").get("/rate/feedback").get_data(as_text=True)
    assert COMMENT in feedback  # HR's own customers' words, on HR's head's feedback page
    outsider = _client(app, "head.wh@test.local").get("/api/v1/ratings").get_json()  # (the page: see below)
    assert outsider["items"] and world.hr_it.id not in {item["contract"] for item in outsider["items"]}
    assert COMMENT not in str(outsider)


def test_the_coo_sees_everything_but_changes_no_settings(app, world):
    coo = _client(app, "coo")
    for path in ("/dashboard/", f"/dashboard/contracts/{world.hr_it.id}", "/dashboard/departments/IT",
                 "/api/v1/analysis/2026-Q3", "/audit/"):
        assert coo.get(path).status_code == 200, path
    assert COMMENT in coo.get(f"/dashboard/contracts/{world.hr_it.id}").get_data(as_text=True)
    api = coo.get("/api/v1/ratings?per_page=500").get_json()
    assert len(api["items"]) == 2 and any(item.get("comment") == COMMENT for item in api["items"])
    before = _snapshot()
    assert coo.get("/admin/settings").status_code == 403
    response = coo.post("/admin/settings", data={"target": "10", "floor": "5", "hr_sees_comments": "y",
                                                 "default_locale": "ru"})
    assert response.status_code == 403
    assert _snapshot() == before


def test_a_head_gets_nothing_of_an_agreement_between_two_other_departments(app, world):
    """The agreement page, its chart, its follow-ups and the API follow one rule (auth/access.py)."""
    from tracker.models import FollowUp

    outsider = _client(app, "head.wh@test.local")  # WH is neither side of HR → IT
    hr_it = world.hr_it.id
    for path in (f"/dashboard/contracts/{hr_it}", f"/dashboard/contracts/{hr_it}/history.svg",
                 f"/follow-ups/{world.args['follow_up_id']}"):
        response = outsider.get(path)
        assert response.status_code in (403, 404), path
        body = response.get_data(as_text=True)
        assert COMMENT not in body and "Answer payroll questions" not in body, path
    assert hr_it not in {c["id"] for c in outsider.get("/api/v1/contracts?per_page=500").get_json()["items"]}
    # the same head still opens the agreements of the own department
    own = world.org.contracts[("IT", "WH")].id
    assert outsider.get(f"/dashboard/contracts/{own}").status_code == 200
    assert own in {c["id"] for c in outsider.get("/api/v1/contracts?per_page=500").get_json()["items"]}
    assert db.session.get(FollowUp, world.args["follow_up_id"]) is not None


def test_one_comment_rule_for_every_role(app, world):
    """Pages and API give every reader the same comments (the copies once differed for members)."""
    from tracker.auth import access

    member = world.org.users["member"]
    rating_service.submit_ratings(world.org.period, [(world.hr_it, rating_service.RatingInput(
        scores={"quality": 4}, recommend=8, comment="mine"))], respondent_key=member.email,
        respondent_id=member.id, actor_id=member.id)
    ratings = _ratings(world.hr_it)
    for role in ("member", "head", "hr", "coo", "admin"):
        user = world.org.users.get(role) or world.org.heads["IT"]
        rule = access.comment_rule(user)
        assert [rule(r) for r in ratings] == [access.sees_comment(user, r) for r in ratings]
    given = [r for r in ratings if r.respondent_id == member.id]
    others = [r for r in ratings if r.respondent_id != member.id]
    assert given and others
    assert all(access.sees_comment(member, r) for r in given)
    assert not any(access.sees_comment(member, r) for r in others)
