"""Service refusals shown on forms: one helper for every blueprint."""
from __future__ import annotations

from flask import flash


def show_errors(form, errors: dict[str, str]) -> None:
    """Put each service error next to its form field; errors of the whole form become a flash."""
    for name, message in errors.items():
        field = getattr(form, name, None) if name else None
        if field is None:
            flash(message, "danger")
        else:
            field.errors = [*field.errors, message]
