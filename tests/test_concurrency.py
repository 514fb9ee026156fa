"""Concurrent writes: a rating posted twice at once stays one rating; two admins editing one agreement conflict.

The ``app`` fixture's database is a real SQLite file (WAL), so each thread below has its own
connection and the database's locking is what the threads race through.
"""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.rate.test_rate import answers
from tracker.extensions import db
from tracker.models import AuditLog, Contract, Rating
from tracker.services import ratings as rating_service

THREADS = 6


def _run_together(app, work, n: int = THREADS) -> list:
    """Run ``work(i)`` in ``n`` threads released at the same moment; return results or raised exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # noqa: BLE001 - the test inspects whatever happened
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _rating_count(contract_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Rating).where(Rating.contract_id == contract_id))


def test_save_rating_yields_to_a_concurrent_insert_of_the_same_key(app, org, monkeypatch):
    """Both requests look, find no rating, and insert at once: one creates it, the other updates it."""
    contract_id, period_id = org.contracts[("IT", "WH")].id, org.period.id
    head = org.heads["WH"]
    head_id, head_email = head.id, head.email
    # Make both threads pass the "is there a rating yet?" look-up before either inserts.
    barrier = threading.Barrier(2)
    original = rating_service._insert_unless_present

    def racing_insert(*args, **kwargs):
        barrier.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(rating_service, "_insert_unless_present", racing_insert)

    def work(i: int) -> int:
        contract = db.session.get(Contract, contract_id)
        period = db.session.get(type(org.period), period_id)
        answer = rating_service.RatingInput(scores={"quality": 5 if i == 0 else 2, "timeliness": 4},
                                            recommend=9, comment="second tab" if i else None)
        return rating_service.submit_ratings(period, [(contract, answer)], respondent_key=head_email,
                                             respondent_id=head_id, actor_id=head_id)

    results = _run_together(app, work, n=2)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [1, 1]
    assert _rating_count(contract_id) == 1
    rating = db.session.scalar(select(Rating).where(Rating.contract_id == contract_id))
    actions = sorted(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "rating",
                                                                      AuditLog.entity_id == rating.id)))
    assert actions == ["create", "update"]
    # The later save wins whole: its scores and its comment, not a mixture.
    scores = {s.criterion.key: s.score for s in rating.scores}
    assert (scores["quality"], rating.comment) in ((5, None), (2, "second tab"))


def test_same_rating_posted_at_once_from_several_tabs_is_one_rating_and_no_500(app, org):
    """Six browser tabs of the same head post the same form at the same moment."""
    contract_id = org.contracts[("IT", "WH")].id
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        client.post("/login", data={"email": "head.wh@test.local", "password": "pw"})
        clients.append(client)

    def work(i: int) -> int:
        data = answers(scores=(5, 4, 4, "na"), recommend=str(7 + i % 3))
        return clients[i].post(f"/rate/{contract_id}", data=data).status_code

    statuses = _run_together(app, work)

    assert statuses == [302] * THREADS, statuses
    assert _rating_count(contract_id) == 1


def test_different_respondents_at_once_each_keep_their_rating(app, org):
    """The head and a member who was added as respondent save at the same time: two ratings, none lost."""
    from tracker.services import respondents as respondent_service

    contract = org.contracts[("HR", "IT")]
    respondent_service.add_respondent(contract, org.users["member"], actor_id=org.heads["IT"].id)
    logins = ["head.it@test.local", "member.it@test.local"]
    clients = []
    for email in logins:
        client = app.test_client()
        client.post("/login", data={"email": email, "password": "pw"})
        clients.append(client)

    statuses = _run_together(app, lambda i: clients[i].post(f"/rate/{contract.id}", data=answers()).status_code,
                             n=2)

    assert statuses == [302, 302]
    keys = set(db.session.scalars(select(Rating.respondent_key).where(Rating.contract_id == contract.id)))
    assert keys == set(logins)


def _contract_form(con: Contract, **changes) -> dict:
    data = {
        "supplier_id": str(con.supplier_id), "customer_id": str(con.customer_id), "service_id": str(con.service_id),
        "service_name": "", "standard": con.standard or "", "criticality": str(con.criticality),
        "target": "", "floor": "", "transfer_price": "", "start_date": "", "end_date": "",
        "version": str(con.version),
    }
    data.update(changes)
    return data


def _admin_clients(app, n: int) -> list:
    clients = []
    for _ in range(n):
        client = app.test_client()
        client.post("/login", data={"email": "admin@test.local", "password": "pw"})
        clients.append(client)
    return clients


def test_second_admin_saving_a_stale_agreement_gets_a_conflict_not_an_overwrite(app, org):
    con = org.contracts[("WH", "LOG")]
    first, second = _admin_clients(app, 2)
    stale = _contract_form(con)  # both admins opened the form at version 1

    saved = first.post(f"/admin/contracts/{con.id}/edit", data=stale | {"standard": "Deliveries by 10:00"})
    refused = second.post(f"/admin/contracts/{con.id}/edit", data=stale | {"standard": "Deliveries by noon"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    # Both versions are shown to the second admin.
    assert "Deliveries by 10:00" in html and "Deliveries by noon" in html
    db.session.expire_all()
    assert db.session.get(Contract, con.id).standard == "Deliveries by 10:00"


def test_admins_saving_one_agreement_at_once_one_wins_the_rest_conflict(app, org):
    con = org.contracts[("WH", "LOG")]
    clients = _admin_clients(app, 4)
    stale = _contract_form(con)

    def work(i: int) -> int:
        return clients[i].post(f"/admin/contracts/{con.id}/edit", data=stale | {"standard": f"text {i}"}).status_code

    statuses = _run_together(app, work, n=4)

    assert sorted(statuses) == [200, 200, 200, 302], statuses
    winner = statuses.index(302)
    db.session.expire_all()
    saved = db.session.get(Contract, con.id)
    assert saved.standard == f"text {winner}"
    assert saved.version == 2
    updates = db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "contract", AuditLog.entity_id == con.id, AuditLog.action == "update"))
    assert updates == 1


def test_two_edits_of_one_rating_at_once_both_land_in_turn(app, org, monkeypatch):
    """Two tabs edit a saved rating: both read version 1, both write; the later one is redone, not a 500."""
    contract_id, period_id = org.contracts[("IT", "WH")].id, org.period.id
    head = org.heads["WH"]
    head_id, head_email = head.id, head.email
    rating_service.submit_ratings(org.period, [(org.contracts[("IT", "WH")],
                                                rating_service.RatingInput(scores={"quality": 3}, recommend=7))],
                                  respondent_key=head_email, respondent_id=head_id, actor_id=head_id)
    # Both edits read the rating before either writes (PostgreSQL's row lock makes the second
    # wait inside the read instead; the barrier then gives up and lets it go on).
    barrier = threading.Barrier(2)
    original = rating_service._locked_rating

    def racing_read(*args, **kwargs):
        rating = original(*args, **kwargs)
        try:
            barrier.wait(2)
        except threading.BrokenBarrierError:
            pass
        return rating

    monkeypatch.setattr(rating_service, "_locked_rating", racing_read)

    def work(i: int) -> int:
        contract = db.session.get(Contract, contract_id)
        period = db.session.get(type(org.period), period_id)
        answer = rating_service.RatingInput(scores={"quality": 4 + i}, recommend=8 + i)
        return rating_service.submit_ratings(period, [(contract, answer)], respondent_key=head_email,
                                             respondent_id=head_id, actor_id=head_id)

    results = _run_together(app, work, n=2)

    assert results == [1, 1], results
    assert _rating_count(contract_id) == 1
    rating = db.session.scalar(select(Rating).where(Rating.contract_id == contract_id))
    assert rating.version == 3
    updates = db.session.scalars(select(AuditLog.changes).where(AuditLog.entity == "rating",
                                                                AuditLog.action == "update")).all()
    assert len(updates) == 2
    # The second update's "old" is the first update's "new": nothing was silently overwritten.
    import json
    olds = sorted(json.loads(c)["recommend"][0] for c in updates)
    assert olds in ([7, 8], [7, 9])
