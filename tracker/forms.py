"""The base of every form of the app: the control-character rule, and the one-time token of create forms.

Every ``forms.py`` builds on :class:`Form` instead of ``FlaskForm`` (a test walks the package
to keep it so). Text fields refuse the control characters of :mod:`tracker.text`, naming the
character; a ``TextAreaField`` keeps tab and line breaks.

A form that creates something builds on :class:`CreateForm`: its hidden ``form_token`` is a
fresh random token each time the form is shown, and the view passes it to
:func:`tracker.services.once.submit`, so a double click creates one row.
"""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from . import text

__all__ = ["CreateForm", "Form", "new_form_token", "no_control_characters"]


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
