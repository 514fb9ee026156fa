"""``flask import`` and ``flask analyze``."""
import click


@click.command("import")
@click.argument("path")
def import_command(path: str) -> None:
    """Import a folder of CSV files (not implemented yet)."""
    raise click.ClickException("import is not implemented yet")


@click.command("analyze")
@click.option("--period", required=True)
@click.option("--json", "as_json", is_flag=True)
def analyze_command(period: str, as_json: bool) -> None:
    """Analyse one period (not implemented yet)."""
    raise click.ClickException("analyze is not implemented yet")
