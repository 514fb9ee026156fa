"""``flask import``, ``flask import-survey``, ``flask export`` and ``flask analyze``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..analysis import PeriodAnalysis
from ..services import analysis as analysis_service
from . import export as exporter
from . import service
from .uploads import ImportFileError


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything and report the counts, but write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import PATH: a folder with any of departments.csv, contracts.csv, periods.csv, ratings.csv, or an .xlsx.

    Every row is checked first; any bad row is printed as ``file:line: reason`` and
    nothing is written (exit status 1). Otherwise everything is written in one transaction.
    """
    try:
        result = service.import_path(path, dry_run=dry_run)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_result(result, dry_run)


def _echo_result(result: service.ImportResult, dry_run: bool) -> None:
    """Print the problems (and exit 1) or the counts of an import."""
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(result.problems)} problem(s) found; nothing was imported.", err=True)
        raise SystemExit(1)
    for name, counts in result.counts.items():
        click.echo(f"{name}: {counts}")
    click.echo(f"total: {result.total}")
    if result.low_without_comment:
        click.echo(f"{result.low_without_comment} low ratings without a comment")
    if result.users_created:
        click.echo(f"head users created (no usable password yet; an admin sets one): "
                   f"{', '.join(result.users_created)}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
    elif not result.changed_anything:
        click.echo("Nothing changed.")
    else:
        click.echo("Imported.")


@click.command("import-survey")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_name", help="Name of a survey mapping saved on the admin import page.")
@click.option("--mapping-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The mapping as a JSON file (the same JSON the admin page saves).")
@click.option("--dry-run", is_flag=True, help="Check everything and report the counts, but write nothing.")
def import_survey_command(path: Path, mapping_name: str | None, mapping_file: Path | None, dry_run: bool) -> None:
    """Import PATH, a survey-tool export (.csv or .xlsx), as ratings by a column mapping.

    Give exactly one of --mapping NAME or --mapping-file MAPPING.json. Each row is one
    respondent; every row is checked first and nothing is written on any problem.
    """
    from ..extensions import db
    from ..models import SurveyMapping

    if (mapping_name is None) == (mapping_file is None):
        raise click.UsageError("give exactly one of --mapping NAME or --mapping-file MAPPING.json")
    if mapping_file is not None:
        try:
            mapping = json.loads(mapping_file.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeError) as exc:
            raise click.ClickException(f"{mapping_file}: not a JSON mapping ({exc})") from exc
    else:
        saved = db.session.scalar(db.select(SurveyMapping).where(SurveyMapping.name == mapping_name))
        if saved is None:
            names = ", ".join(db.session.scalars(db.select(SurveyMapping.name).order_by(SurveyMapping.name)))
            raise click.ClickException(f"no saved mapping {mapping_name!r}; saved: {names or 'none yet'}")
        mapping = saved.config_data
    try:
        result = service.import_survey(path.name, path.read_bytes(), mapping, dry_run=dry_run)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_result(result, dry_run)


@click.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def export_command(path: Path) -> None:
    """Export the organization to PATH: a folder of CSV files (UTF-8 with BOM), or a workbook if PATH ends in .xlsx."""
    if path.suffix.lower() == ".xlsx":
        exporter.write_workbook(path)
        click.echo(f"Wrote {path}")
        return
    for written in exporter.write_csv_folder(path):
        click.echo(f"Wrote {written}")


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
        rate = "—" if d.response_rate is None else f"{d.response_rate * 100:.0f} %"
        rows.append([d.code, strength, bottleneck, str(d.dominates), nps, csat, rate])
    lines += _table(["department", "chain strength", "bottleneck", "dominates", "NPS", "CSAT", "response rate"],
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
