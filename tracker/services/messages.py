"""Messages of the services in the user's language: gettext helpers that also work outside a request.

Services raise errors whose text a page shows; the same services run from the CLI, imports
and tests, where there is no request and no locale.
"""
from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext
from flask_babel import ngettext as _babel_ngettext

__all__ = ["_", "ngettext"]


def _(message: str, **values) -> str:
    """``gettext`` in a request; outside one (CLI, import, tests) the English source, formatted the same way."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


def ngettext(singular: str, plural: str, num: int, **values) -> str:
    """``ngettext`` in a request; outside one the English singular or plural, formatted the same way."""
    if has_request_context():
        return _babel_ngettext(singular, plural, num, **values)
    return (singular if num == 1 else plural) % dict(values, num=num)
