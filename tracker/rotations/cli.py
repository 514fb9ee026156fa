"""``flask rotations suggest`` and ``flask rotations plan``: the suggestions and a proposed plan, for scripts."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from ..services import analysis as analysis_service
from ..services import rotations as service
from ..services import settings as settings_service

rotations_cli = AppGroup("rotations", help="HR rotations: suggestions and a proposed plan (nothing is saved).")


def _period(label: str):
    try:
        return analysis_service.resolve_period(label)
    except LookupError as exc:
        raise click.ClickException(exc.args[0]) from exc


def suggestions_json(period) -> dict:
    """The ranked suggestions and the skipped pairs of ``period`` as plain JSON data (comments as HR may see them)."""
    found, _pa = service.suggestions(period, limit=None,
                                     show_comments=settings_service.get("hr_sees_comments") == "yes")
    return {
        "period": period.label,
        "suggestions": [{
            "rank": i, "supplier": s.supplier, "customer": s.customer, "kind": s.kind,
            "visits": [list(leg) for leg in s.legs], "service": s.service, "health": s.health,
            "reverse_health": s.reverse_health, "communication": s.communication, "severity": s.severity,
            "criticality": s.criticality, "reach": s.reach, "risk": s.risk, "score": s.score,
            "contracts": list(s.contracts), "reason": service.reason(s)}
            for i, s in enumerate(found.rows, start=1)],
        "skipped": [{"supplier": k.supplier, "customer": k.customer, "period": k.period, "score": k.score}
                    for k in found.skipped],
    }


@rotations_cli.command("suggest")
@click.option("--period", "label", required=True, help="Period label, e.g. 2026-Q4.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def suggest_command(label: str, as_json: bool) -> None:
    """Print the ranked rotation suggestions of a period (and the pairs skipped for a recent rotation)."""
    data = suggestions_json(_period(label))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"Suggested rotations, {data['period']}")
    for row in data["suggestions"]:
        legs = " and ".join(f"{a} visits {b}" for a, b in row["visits"])
        click.echo(f"{row['rank']:>3}. {legs} (score {row['score']:.0f}): {row['reason']}")
    if not data["suggestions"]:
        click.echo("  none")
    if data["skipped"]:
        click.echo(f"Skipped (a rotation in this period or the {settings_service.get('rotation_skip_periods')} "
                   f"before it): " + ", ".join(f"{k['supplier']}-{k['customer']} ({k['period']})"
                                               for k in data["skipped"]))


@rotations_cli.command("plan")
@click.option("--period", "label", required=True, help="Period label, e.g. 2026-Q4.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plan_command(label: str, as_json: bool) -> None:
    """Propose a plan for a period within every weekly capacity; nothing is saved."""
    proposal = service.propose(_period(label))
    data = {
        "period": proposal.period.label, "covered_risk": proposal.covered, "greedy_risk": proposal.greedy,
        "total_risk": proposal.total, "unplanned": proposal.unplanned,
        "visits": [{"date": v.on_date.isoformat(), "visitor": v.visitor, "host": v.host, "risk": v.weight,
                    "contract": v.suggestion.contracts[0], "reason": service.reason(v.suggestion)}
                   for v in proposal.visits],
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"Proposed plan, {data['period']}: covers risk {data['covered_risk']:.0f} of "
               f"{data['total_risk']:.0f} (greedy: {data['greedy_risk']:.0f}); not saved")
    for v in data["visits"]:
        click.echo(f"  {v['date']}  {v['visitor']} -> {v['host']}  risk {v['risk']:.0f}  {v['reason']}")
