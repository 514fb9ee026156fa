"""``flask demo``: load the demo company into an empty database."""
from __future__ import annotations

import click

from .builder import DemoError, build_demo, department_count


@click.command("demo")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
              help="Language of the names, services, standards and comments (codes stay Latin).")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and say so) when the database already has departments.")
def demo_command(lang: str, if_empty: bool) -> None:
    """Load the demo company: departments, agreements, four quarters of ratings and users (password demo)."""
    existing = department_count()
    if existing:
        if if_empty:
            click.echo(f"The database already has {existing} departments; the demo company was not loaded.")
            return
        raise click.ClickException(
            f"the database already has {existing} departments; the demo loads only into an empty database "
            "(use --if-empty to skip it, or point DATABASE_URL at a new database)"
        )
    try:
        summary = build_demo(lang)
    except DemoError as exc:
        raise click.ClickException(f"{exc}; the demo loads only into an empty database") from exc

    click.echo(f"Loaded the demo company {summary.company}:")
    click.echo(f"  {summary.departments} departments in {summary.divisions} divisions, "
               f"{summary.externals} external customers")
    inactive = summary.contracts - summary.active_in_open
    open_label = summary.periods[-1]
    # The dashboard of the open period counts only the agreements active in it: say so, or 52 vs 51 reads as a loss.
    active = (f" ({summary.active_in_open} active in {open_label}, the period its dashboard counts; "
              f"{inactive} not active in it)" if inactive else "")
    click.echo(f"  {summary.contracts} agreements{active}, {summary.respondents} extra respondents")
    click.echo(f"  periods {', '.join(summary.periods[:-1])} closed, {summary.periods[-1]} open")
    click.echo(f"  {summary.ratings} ratings, {summary.follow_ups} follow-ups, {summary.rotations} rotations, "
               f"{summary.users} users")
    click.echo("")
    click.echo("Log in with password: demo")
    for email in summary.logins:
        click.echo(f"  {email}")
