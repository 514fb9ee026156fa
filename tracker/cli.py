"""``flask`` commands: create-user, import, analyze, demo."""
from __future__ import annotations

import click
from flask import Flask

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


def init_app(app: Flask) -> None:
    """Register every command of the app."""
    from .demo.cli import demo_command
    from .followups.cli import followups_command, notify_command
    from .importer.cli import analyze_command, export_command, import_command, import_survey_command
    from .rotations.cli import rotations_cli
    from .scorecard.cli import review_pack_command
    from .network.cli import import_network_command

    for command in (create_user_command, import_command, import_survey_command, export_command, analyze_command, demo_command, backup_command,
                    restore_command, review_pack_command, followups_command, notify_command, import_network_command):
        app.cli.add_command(command)
    app.cli.add_command(rotations_cli)
