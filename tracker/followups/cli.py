"""``flask followups`` (list a period's follow-ups) and ``flask notify`` (make notices, mail digests)."""
from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Period
from ..services import followups as service
from ..services import notifications


def follow_up_rows(period: Period, today: date) -> list[dict]:
    """The period's follow-ups as plain dicts (the JSON of ``flask followups --json``)."""
    rows = service.list_follow_ups(today=today, period_id=period.id)
    effects = service.effects(rows)
    out = []
    for fu in rows:
        ds = service.due_status(fu, today)
        points = effects[fu.id].points
        out.append({
            "id": fu.id,
            "supplier": fu.contract.supplier.code, "customer": fu.contract.customer.code,
            "service": fu.contract.service.name,
            "state": fu.status,
            "owner": (fu.owner.name or fu.owner.email) if fu.owner else None,
            "owner_email": fu.owner.email if fu.owner else None,
            "due_date": ds.due.isoformat() if ds.due else None,
            "overdue": ds.overdue, "closed_late": ds.late,
            "opened_by": fu.opened_by,
            "health_then": points[0][1], "health_then_n": points[0][2],
            "health_next": points[1][1] if len(points) > 1 else None,
            "health_next_n": points[1][2] if len(points) > 1 else 0,
            "effect": effects[fu.id].word,
        })
    return out


@click.command("followups")
@click.option("--period", "label", required=True, help="Period label, e.g. 2026-Q4.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def followups_command(label: str, as_json: bool) -> None:
    """List the follow-ups of a period: agreement, state, owner, due date, overdue, opened by, health then and next."""
    period = db.session.scalar(select(Period).where(Period.label == label))
    if period is None:
        known = ", ".join(db.session.scalars(select(Period.label).order_by(Period.start_date)))
        raise click.ClickException(f"no period {label!r}; known: {known or 'none'}")
    rows = follow_up_rows(period, date.today())
    if as_json:
        click.echo(json.dumps({"period": label, "follow_ups": rows}, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo(f"No follow-ups in {label}.")
        return
    for r in rows:
        flag = " OVERDUE" if r["overdue"] else (" closed late" if r["closed_late"] else "")
        click.echo(f"{r['supplier']} → {r['customer']} ({r['service']}): {r['state']}, owner {r['owner'] or '-'}, "
                   f"due {r['due_date'] or '-'}{flag}, opened by {r['opened_by']}, health "
                   f"{_pts(r['health_then'])} (N={r['health_then_n']}) → {_pts(r['health_next'])} "
                   f"(N={r['health_next_n']}): {r['effect']}")


def _pts(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@click.command("notify")
def notify_command() -> None:
    """Make the notices time brings (period ending, overdue) and mail each user a digest of new ones."""
    made = notifications.scan(date.today())
    digest = notifications.send_digests(base_url=current_app.config.get("APP_BASE_URL", ""))
    if digest.skipped:
        click.echo(f"{made} new notices; no MAIL_SERVER set, so in-app only.")
    else:
        click.echo(f"{made} new notices; mailed {digest.notices} notices to {digest.users} users.")
