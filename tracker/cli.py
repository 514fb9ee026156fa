"""``flask`` commands: create-user, analyze, backup and restore here.

import, import-survey and export live in :mod:`tracker.importer.cli`, demo in
:mod:`tracker.demo.cli`, rotations in :mod:`tracker.rotations.cli`; :func:`init_app` registers them all.
"""
from __future__ import annotations

import json

import click
from flask import Flask

from .analysis import PeriodAnalysis
from .services import analysis as analysis_service
from .services import backup as backup_service
from .services import users as user_service


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "coo", "hr", "head", "member"]))
@click.option("--department", "department_code", help="Department code (required for head and member).")
@click.option("--name", default="", help="Display name.")
@click.option("--password", default=None, help="Password; asked for when omitted (leave empty to generate one).")
def create_user_command(email: str, role: str, department_code: str | None, name: str, password: str | None) -> None:
    """Create a user EMAIL with ROLE; prints a generated password when none is given."""
    if password is None:
        password = click.prompt(
            "Password (empty to generate)", hide_input=True, confirmation_prompt=True, default="", show_default=False
        )
    try:
        user, generated = user_service.create_user(
            email, role, department_code=department_code, name=name, password=password or None
        )
    except user_service.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({user.role}).")
    if generated:
        click.echo(f"Generated password: {generated}")


@click.command("backup")
@click.argument("path")
def backup_command(path: str) -> None:
    """Write an online backup of the SQLite database to PATH (safe while the app runs)."""
    try:
        target = backup_service.backup(path)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {target}.")


@click.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: str, yes: bool) -> None:
    """Replace the SQLite database's content with the backup at PATH."""
    if not yes:
        click.confirm("This replaces every row of the database with the backup. Continue?", abort=True)
    try:
        backup_service.restore(path)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored from {path}.")


@click.command("analyze")
@click.option("--period", "label", required=True, help="Period label, e.g. 2026-Q3.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON (the API's shape).")
def analyze_command(label: str, as_json: bool) -> None:
    """Analyse one period: weak links, chain strength per department, blind spots, departments cut off."""
    try:
        result = analysis_service.period_analysis(label)
    except LookupError as exc:
        raise click.ClickException(exc.args[0]) from exc
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_analysis(result))


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return lines


def format_analysis(result: PeriodAnalysis) -> str:
    """The analysis as plain-text tables: weak links first, then departments, blind spots, cut off."""
    contracts = result.contracts
    lines = [f"Period {result.period} (target {result.target:g}, floor {result.floor:g})", ""]

    lines.append("Weak links")
    if result.weak_links:
        lines += _table(
            ["#", "supplier → customer", "service", "health", "criticality", "reach", "risk", "severity"],
            [[str(w.rank), f"{w.contract.supplier} → {w.contract.customer}", w.contract.service,
              _num(w.health) + (" (stale)" if w.stale else ""), str(w.contract.criticality), str(w.reach),
              _num(w.risk), w.severity.upper() if w.severity == "critical" else w.severity]
             for w in result.weak_links])
    else:
        lines.append("none")
    lines.append("")

    lines.append("Departments")
    rows = []
    for d in result.departments.values():
        if d.kind != "internal":
            continue
        if d.bottleneck is not None:
            con = contracts[d.bottleneck].contract
            bottleneck = f"{con.supplier} → {con.customer} ({con.service})"
        else:
            bottleneck = "—"
        strength = _num(d.chain_strength)
        if d.relies_on_unrated:
            strength += " (relies on unrated)"
        if d.cut_off:
            strength += " (cut off)"
        nps = "—" if d.nps is None else f"{d.nps_shown:+d} (N={d.nps_responses}" + (
            ", small sample)" if d.small_sample else ")")
        csat = "—" if d.csat is None else f"{d.csat:.1f} %"
        met = "—" if d.standard_met is None else f"{d.standard_met * 100:.0f} %"
        rate = "—" if d.response_rate is None else f"{d.response_rate * 100:.0f} %"
        rows.append([d.code, strength, bottleneck, str(d.dominates), nps, csat, met, rate])
    lines += _table(["department", "chain strength", "bottleneck", "dominates", "NPS", "CSAT", "standard met",
                     "response rate"],
                    rows)
    lines.append("")

    lines.append("Blind spots (unrated, on the way to the customer)")
    if result.blind_spots:
        lines += _table(["supplier → customer", "service", "reach"],
                        [[f"{b.contract.supplier} → {b.contract.customer}", b.contract.service, str(b.reach)]
                         for b in result.blind_spots])
    else:
        lines.append("none")
    lines.append("")
    lines.append("Cut off from the customer: " + (", ".join(result.cut_off) if result.cut_off else "none"))
    return "\n".join(lines)


def init_app(app: Flask) -> None:
    """Register every command of the app."""
    from .demo.cli import demo_command
    from .followups.cli import followups_command, notify_command
    from .importer.cli import export_command, import_command, import_survey_command
    from .rotations.cli import rotations_cli
    from .scorecard.cli import review_pack_command
    from .network.cli import import_network_command

    for command in (create_user_command, import_command, import_survey_command, export_command, analyze_command, demo_command, backup_command,
                    restore_command, review_pack_command, followups_command, notify_command, import_network_command):
        app.cli.add_command(command)
    app.cli.add_command(rotations_cli)
