"""``flask demo``: load the demo company into an empty database."""
import click


@click.command("demo")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en")
def demo_command(lang: str) -> None:
    """Load the demo company (not implemented yet)."""
    raise click.ClickException("demo data is not implemented yet")
