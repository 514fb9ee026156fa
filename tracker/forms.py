"""The base of every form of the app: the control-character rule, and the one-time token of create forms.

Every ``forms.py`` builds on :class:`Form` instead of ``FlaskForm`` (a test walks the package
to keep it so). Text fields refuse the control characters of :mod:`tracker.text`, naming the
character; a ``TextAreaField`` keeps tab and line breaks.

A department is chosen with a :class:`DepartmentField`: a text input searched on the server as
the user types (a datalist filled by ``static/js/department-search.js``), never a select of
every department, so a form stays small at any size of organization.

A form that creates something builds on :class:`CreateForm`: its hidden ``form_token`` is a
fresh random token each time the form is shown, and the view passes it to
:func:`tracker.services.once.submit`, so a double click creates one row.
"""
from __future__ import annotations

import secrets

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from . import text

__all__ = ["CreateForm", "DepartmentField", "Form", "new_form_token", "no_control_characters"]


def no_control_characters(multiline: bool = False):
    """A WTForms validator: refuse a value holding a control character (:func:`tracker.text.control_character`)."""

    def check(form, field) -> None:
        found = text.control_character(field.data if isinstance(field.data, str) else None, multiline=multiline)
        if found is not None:
            raise ValidationError(_l("contains the control character U+%(code)s; remove it",
                                     code=f"{ord(found):04X}"))

    return check


class Form(FlaskForm):
    """A ``FlaskForm`` whose text fields (passwords aside) all follow the control-character rule."""

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                extra.setdefault(name, []).append(no_control_characters(isinstance(field, TextAreaField)))
        return super().validate(extra_validators=extra)


def new_form_token() -> str:
    """A fresh one-time form token (32 hex digits)."""
    return secrets.token_hex(16)


class CreateForm(Form):
    """A form that creates a row: carries a one-time ``form_token`` for :func:`tracker.services.once.submit`."""

    form_token = HiddenField(default=new_form_token)


class _DepartmentInput(TextInput):
    """A text input with a datalist that ``static/js/department-search.js`` fills from the search URL."""

    def __call__(self, field, **kwargs):
        list_id = f"{field.id}-options"
        kwargs.setdefault("list", list_id)
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("placeholder", str(_l("Type a code or a name")))
        if field.search_endpoint:
            kwargs["data-department-search"] = url_for(field.search_endpoint,
                                                       **({"internal": 1} if field.internal_only else {}))
        return Markup(super().__call__(field, **kwargs)) + Markup(f'<datalist id="{escape(list_id)}"></datalist>')


class DepartmentField(StringField):
    """A department chosen by typing its code: ``data`` is the department's id, or None when left empty.

    The input takes a code (case-insensitive; what the datalist offers) or a department id (what
    a select would have sent). An unknown value is an error naming it, and the typed text is kept.
    ``search_endpoint`` names the JSON route that answers ``?q=`` (``internal=1`` with ``internal_only``).
    """

    widget = _DepartmentInput()

    def __init__(self, label=None, validators=None, *, internal_only: bool = False,
                 search_endpoint: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.internal_only = internal_only
        self.search_endpoint = search_endpoint
        self.raw: str | None = None

    def process_data(self, value) -> None:
        self.data = value if value not in ("", "None") else None
        self.raw = None

    def process_formdata(self, valuelist) -> None:
        from .services import org as org_service

        self.raw = (valuelist[0] if valuelist else "").strip()
        dep = org_service.department_by_code(self.raw)
        if dep is None and self.raw.isdigit() and len(self.raw) <= 18:
            from .extensions import db
            from .models import Department

            dep = db.session.get(Department, int(self.raw))
        self.data = dep.id if dep is not None else None

    def pre_validate(self, form) -> None:
        if self.raw and self.data is None:
            raise ValidationError(_l("No department has the code “%(code)s”.", code=self.raw[:64]))

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        if self.data is None:
            return ""
        from .extensions import db
        from .models import Department

        dep = db.session.get(Department, self.data)
        return dep.code if dep is not None else ""
