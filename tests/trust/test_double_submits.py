"""Double submits: identical concurrent POSTs of a create form give one row and a clear answer, never a 500.

Threads post through the real app (its own session per request) against the test database:
a SQLite file in WAL mode, or PostgreSQL with ``TEST_DATABASE_URL``.
"""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Department, FollowUp, FormSubmission, Period, Rating, Rotation, User
from tracker.services import once

N = 5


def _logged_in(app, email: str, n: int = N) -> list:
    clients = []
    for _ in range(n):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": "pw"}).status_code == 302
        clients.append(client)
    return clients


def _post_together(clients: list, url: str, data: dict) -> list:
    """POST ``data`` to ``url`` from every client at the same moment; return the responses."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def work(i: int) -> None:
        barrier.wait(10)
        try:
            responses[i] = clients[i].post(url, data=data)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever happened
            responses[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return responses


def _count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _check(responses, *, created_status=302, other_says: str | tuple[str, ...]) -> None:
    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert all(s < 500 for s in statuses), statuses
    created = [r for r in responses if r.status_code == created_status]
    assert len(created) >= 1, statuses
    others = [r for r in responses if r.status_code != created_status]
    for r in others:
        page = r.get_data(as_text=True)
        says = (other_says,) if isinstance(other_says, str) else other_says
        assert any(s in page for s in says), re.findall(r"invalid-feedback[^<]*</?[^<]*|alert[^<]*<", page)


@pytest.mark.parametrize("url,data,model,where,says", [
    # (a request whose label look-up ran just before the other's commit hears of the clash from the overlap check)
    ("/admin/periods", {"label": "2031-Q1"}, Period, lambda: Period.label == "2031-Q1",
     ("A period labelled 2031-Q1 already exists.", "These dates overlap period 2031-Q1")),
    ("/admin/departments/new", {"code": "PACK", "name": "Packing", "kind": "internal", "parent_id": ""},
     Department, lambda: Department.code == "PACK", "Department PACK already exists."),
    ("/admin/users/new", {"email": "new.person@test.local", "name": "New", "role": "coo", "department_id": "",
                          "password": "long-enough-pw"},
     User, lambda: User.email == "new.person@test.local", "already exists"),
])
def test_five_identical_creates_give_one_row_and_already_exists(app, org, url, data, model, where, says):
    responses = _post_together(_logged_in(app, "admin@test.local"), url, data)
    _check(responses, other_says=says)
    assert _count(model, where()) == 1


def _low_rating(org):
    con = org.contracts[("IT", "WH")]
    db.session.add(Rating(contract_id=con.id, period_id=org.period.id, respondent_key="head.wh@test.local",
                          health=20.0, recommend=2))
    db.session.commit()
    return con


def _form_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="form_token" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_submit_retries_a_create_that_lost_a_race_and_says_already_exists(app, org, monkeypatch):
    """The service's own check runs again after the conflict and names the row (no IntegrityError)."""
    from tracker.services import org as org_service

    calls = []
    original = org_service._validate_department

    def blind_once(code, *args):
        calls.append(code)
        if len(calls) == 1:  # the first look sees no PACK yet: a concurrent request is about to add it
            other = Department(code="PACK", name="Packing", kind="internal")
            db.session.add(other)
            db.session.commit()
            return {}, None
        return original(code, *args)

    monkeypatch.setattr(org_service, "_validate_department", blind_once)
    with pytest.raises(org_service.OrgError, match="already exists"):
        once.submit(None, org_service.create_department, "PACK", "Packing", "internal", None)
    assert len(calls) == 2 and _count(Department, Department.code == "PACK") == 1
