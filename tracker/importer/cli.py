"""``flask import``, ``flask import-survey`` and ``flask export``."""
from __future__ import annotations

import json
from pathlib import Path

import click

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


def _echo_periods(result: service.ImportResult) -> None:
    """Print the periods an import creates (with their dates) and the labels it puts into existing periods."""
    for label, start, end in result.periods_created:
        click.echo(f"period created: {label} ({start.isoformat()} – {end.isoformat()})")
    for label, into in sorted(result.periods_moved.items()):
        click.echo(f"period {label}: its rows go into the existing period {into}, which holds those dates")


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
    _echo_periods(result)
    if result.low_without_comment:
        click.echo(f"{result.low_without_comment} low ratings without a comment")
    if result.users_created:
        click.echo(f"head users created (no usable password yet; an admin sets one): "
                   f"{', '.join(result.users_created)}")
    if dry_run:
        for file, line, key, what, fields in result.preview:
            click.echo(f"{file}:{line}: {key}: " + ("new" if what == "added" else "changed " + ", ".join(fields)))
        if result.preview_more:
            click.echo(f"… and {result.preview_more:,} more rows")
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
