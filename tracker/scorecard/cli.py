"""``flask review-pack``: the PDF for the feedback meeting."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app


@click.command("review-pack")
@click.option("--period", "label", required=True, help="Period label, e.g. 2026-Q3.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True, help="Language of the pack.")
def review_pack_command(label: str, out: str, lang: str) -> None:
    """Write the review pack of period LABEL to OUT as a PDF."""
    from .pack import render_review_pack

    started = time.perf_counter()
    # url_for (links of the charts' data) needs a request context outside a request
    with current_app.test_request_context():
        try:
            pdf = render_review_pack(label, lang=lang)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from exc
    Path(out).write_bytes(pdf)
    click.echo(f"wrote {out} ({len(pdf)} bytes) in {time.perf_counter() - started:.1f} s")
