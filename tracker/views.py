"""Helpers that several blueprints' views share (request arguments → loaded objects, 404s)."""
from __future__ import annotations

from flask import abort, request

from .models import Period
from .services import analysis as analysis_service

__all__ = ["period_or_404"]


def period_or_404(*, required: bool = True) -> Period | None:
    """The period named by ``?period=LABEL``, else the current one.

    Aborts with 404 for a label no period has, and, when ``required``, also when there is no
    period at all (otherwise returns None then).
    """
    label = request.args.get("period", "").strip()
    try:
        period = analysis_service.resolve_period(label) if label else analysis_service.current_period()
    except LookupError:
        abort(404)
    if period is None and required:
        abort(404)
    return period
