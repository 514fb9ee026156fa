"""``flask import-network``: read a network survey, print what it read, and store it."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..importer.network import read_network_files
from ..services import network as network_service


@click.command("import-network")
@click.argument("edges", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--people", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="People file (CSV: person id, department code, optional level); not needed for Pajek or GraphML.")
@click.option("--department-column", "department_column",
              help="Department column of the people file, or Pajek partition(s) / GraphML attribute; "
                   "several, comma-separated, make one unit (office,practice → 1-2).")
@click.option("--relation", help="Pajek layer to read, by name or number (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print people, ties, in-degree, volumes and within as JSON.")
@click.option("--dry-run", is_flag=True, help="Read and check, print, but store nothing.")
def import_network_command(edges: Path, people: Path | None, department_column: str | None, relation: str | None,
                           as_json: bool, dry_run: bool) -> None:
    """Import EDGES, who asks whom for advice (CSV edge list with --people, Pajek .net/.paj, or GraphML).

    An arc A → B means A asks B, so B's department informally supplies A's. Every line is
    checked first: any problem is printed as ``file:line: reason`` and nothing is stored
    (exit status 1). Otherwise the department volumes are stored as a new survey (unless
    --dry-run); the survey's department codes meet the organization's departments by code
    when it is compared with the agreements, and codes the organization lacks are listed.
    """
    read = read_network_files(edges, people, department_column=department_column, relation=relation)
    if read.problems:
        for problem in read.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(read.problems)} problem(s) found; nothing was imported.", err=True)
        raise SystemExit(1)
    rollup = read.rollup()
    stored = None if dry_run else network_service.store_survey(read, name=edges.name)
    if as_json:
        click.echo(json.dumps(rollup.to_json(), ensure_ascii=False))
        if stored is not None:
            click.echo(f"Stored as network survey #{stored.id}.", err=True)
        return
    click.echo(f"people: {rollup.people}")
    click.echo(f"ties: {rollup.ties}" + (f" (relation {read.relation})" if read.relation else ""))
    if read.self_pairs or read.duplicates:
        click.echo(f"ignored: {read.self_pairs} self-pair(s), {read.duplicates} repeated pair(s)")
    click.echo("supplier → customer: volume")
    for (supplier, customer), volume in rollup.volumes.items():
        click.echo(f"  {supplier} → {customer}: {volume}")
    click.echo("within departments: " + ", ".join(f"{c} {n}" for c, n in rollup.within.items()))
    if stored is None:
        click.echo("Dry run: nothing was stored.")
    else:
        click.echo(f"Stored as network survey #{stored.id}.")
