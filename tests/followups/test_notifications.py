"""Notices: made once per occasion, shown with a bell and a count, marked read; mailed once as a digest
through a real SMTP server (aiosmtpd) started here; ``flask followups`` and ``flask notify``."""
from __future__ import annotations

import json
import socket
from datetime import date, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import FollowUp, Notification
from tracker.services import notifications
from tracker.services import ratings as rating_service

TODAY = date.today()


def _low(org, sup="IT", cus="WH"):
    rating_service.submit_ratings(org.period, [(org.contracts[sup, cus], rating_service.RatingInput(
        scores={"quality": 1, "timeliness": 1}, recommend=2, comment="late"))], respondent_key=f"head.{cus.lower()}@test.local")
    return db.session.scalar(select(FollowUp).where(FollowUp.contract_id == org.contracts[sup, cus].id))


def _notices(user) -> list[tuple[str, str]]:
    return [(n.kind, n.key) for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                                          .order_by(Notification.id))]


def test_overdue_and_period_notices_are_made_once(org):
    fu = _low(org)
    fu.ack_due = TODAY - timedelta(days=1)
    org.period.end_date = TODAY + timedelta(days=3)
    db.session.commit()
    made = notifications.scan(TODAY)
    again = notifications.scan(TODAY)
    assert made > 0 and again == 0
    kinds = [k for k, _key in _notices(org.heads["IT"])]
    assert kinds.count("assigned") == 1 and kinds.count("overdue") == 1
    # WH's head still has suppliers to rate: told the period is open and ends soon, once each.
    wh = [k for k, _key in _notices(org.heads["WH"])]
    assert wh.count("period_opened") == 1 and wh.count("period_ending") == 1
    # A new due date that passes again is a new occasion.
    fu.ack_due = TODAY - timedelta(days=2)
    db.session.commit()
    assert notifications.scan(TODAY) == 1


def test_bell_counts_and_marks_read(client, auth, org):
    fu = _low(org)
    auth.login("head.it@test.local")
    html = client.get("/rate/").get_data(as_text=True)
    assert 'id="nav-bell"' in html and "Notifications: 1 unread" in html
    assert 'id="needs-me"' in html and "Follow-ups to acknowledge" in html
    page = client.get("/follow-ups/notifications").get_data(as_text=True)
    assert "Follow-up assigned to you" in page
    note = db.session.scalar(select(Notification))
    response = client.post("/follow-ups/notifications/read", data={"id": note.id, "go": note.link})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/follow-ups/{fu.id}")
    db.session.expire_all()
    assert note.read_at is not None
    assert "Notifications: 0 unread" in client.get("/rate/").get_data(as_text=True)
    # Nobody marks another user's notices.
    auth.logout()
    auth.login("head.wh@test.local")
    other = Notification(user_id=org.heads["IT"].id, key="x", kind="assigned", text="t")
    db.session.add(other)
    db.session.commit()
    client.post("/follow-ups/notifications/read", data={"id": other.id})
    db.session.expire_all()
    assert other.read_at is None


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="tracker@test.local")
    try:
        yield inbox
    finally:
        controller.stop()


def test_digest_is_mailed_once_per_notice(app, org, smtp_server, runner):
    _low(org, "IT", "WH")
    _low(org, "IT", "LOG")
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    by_rcpt = {tuple(r): m for r, m in smtp_server.messages}
    it = by_rcpt[("head.it@test.local",)]
    body = it.get_payload(decode=True).decode()
    assert "IT → WH" in body and "IT → LOG" in body and it["Subject"].startswith("Service tracker:")
    assert sum(1 for r, _m in smtp_server.messages if r == ["head.it@test.local"]) == 1
    # Run again: nothing new, nothing sent twice.
    count = len(smtp_server.messages)
    assert runner.invoke(args=["notify"]).exit_code == 0
    assert len(smtp_server.messages) == count
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.emailed_at.is_(None))) == 0


def test_without_mail_settings_notices_stay_in_app(app, org, runner):
    _low(org)
    app.config["MAIL_SERVER"] = None
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0 and "in-app only" in result.output
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.emailed_at.is_not(None))) == 0


def test_followups_command_lists_the_period(app, org, runner):
    fu = _low(org)
    fu.due_date = TODAY - timedelta(days=1)
    fu.status = "acknowledged"
    db.session.commit()
    result = runner.invoke(args=["followups", "--period", "2026-Q3", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)["follow_ups"]
    assert (row["supplier"], row["customer"], row["state"], row["owner_email"], row["overdue"], row["opened_by"]) == (
        "IT", "WH", "acknowledged", "head.it@test.local", True, "rating")
    assert row["health_then_n"] == 1 and row["effect"] == "not yet rated"
    text = runner.invoke(args=["followups", "--period", "2026-Q3"]).output
    assert "IT → WH" in text and "OVERDUE" in text
    bad = runner.invoke(args=["followups", "--period", "1999-Q1"])
    assert bad.exit_code != 0 and "known: 2026-Q3" in bad.output
