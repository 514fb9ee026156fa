"""Forms of the admin area; choices that come from the database are filled in by the views."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FloatField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..forms import DepartmentField, Form
from ..models import DEPARTMENT_ROLES, ROLES
from ..templating import ROLE_LABELS

KIND_CHOICES = [SelectChoice("internal", _l("Department")), SelectChoice("external", _l("External customer"))]
CRITICALITY_CHOICES = [SelectChoice("1", _l("low")), SelectChoice("2", _l("medium")), SelectChoice("3", _l("high"))]
ROLE_CHOICES = [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label)]`` as WTForms choices; a value of ``""`` or None is the blank option."""
    return [SelectChoice("" if value is None else str(value), label) for value, label in pairs]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class _RoleDepartmentMixin:
    """A head or a colleague belongs to one department."""

    def validate_department_id(self, field):
        if self.role.data in DEPARTMENT_ROLES and not field.data:
            raise ValidationError(_l("A department head or colleague needs a department."))


class DepartmentForm(Form):
    """A department or an external customer; ``version`` carries the loaded version for optimistic locking."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="internal")
    parent_id = DepartmentField(_l("Part of"), internal_only=True, search_endpoint="main.department_search")
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class ContractForm(Form):
    """An agreement: supplier, customer, internal product (chosen or typed), terms and validity."""

    supplier_id = DepartmentField(_l("Supplier"), internal_only=True, search_endpoint="main.department_search")
    customer_id = DepartmentField(_l("Customer"), search_endpoint="main.department_search")
    service_id = SelectField(_l("Internal product (existing)"), coerce=_optional_int, validate_choice=False)
    service_name = StringField(_l("…or a new internal product"), validators=[Optional(), Length(max=200)])
    standard = TextAreaField(_l("Standard (agreed terms and targets)"), validators=[Optional(), Length(max=10000)])
    criticality = SelectField(_l("Criticality"), choices=CRITICALITY_CHOICES, coerce=int, default=2)
    target = FloatField(_l("Target (0–100, empty: the organization's)"),
                        validators=[Optional(), NumberRange(min=0, max=100)])
    floor = FloatField(_l("Floor (0–100, empty: the organization's)"),
                       validators=[Optional(), NumberRange(min=0, max=100)])
    transfer_price = DecimalField(_l("Transfer price"), places=2, validators=[Optional(), NumberRange(min=0)])
    start_date = DateField(_l("Valid from"), validators=[Optional()])
    end_date = DateField(_l("Valid until"), validators=[Optional()])
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class UserCreateForm(_RoleDepartmentMixin, Form):
    """A new user; an empty password means one is generated and shown once."""

    # Not wtforms' Email(): it refuses intranet domains such as .local that companies use.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254),
                                                 Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an e-mail address."))])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    department_id = DepartmentField(_l("Department (for a head or a colleague)"), internal_only=True,
                                    search_endpoint="main.department_search")
    password = PasswordField(_l("Password (empty: generate one)"), validators=[Optional(), Length(min=8, max=200)])
    submit = SubmitField(_l("Create"))


class UserEditForm(_RoleDepartmentMixin, Form):
    """A user's name, role and department."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    department_id = DepartmentField(_l("Department (for a head or a colleague)"), internal_only=True,
                                    search_endpoint="main.department_search")
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class PasswordResetForm(Form):
    """A new password for a user, or empty to generate one."""

    password = PasswordField(_l("New password (empty: generate one)"), validators=[Optional(), Length(min=8, max=200)])
    submit = SubmitField(_l("Reset password"))


class PeriodForm(Form):
    """A new period; dates may be left out for labels like 2026-Q4 or 2026-11."""

    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=32)])
    start_date = DateField(_l("First day (empty: from a label like 2026-Q4 or 2026-11)"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
    submit = SubmitField(_l("Create period"))


class ReopenForm(Form):
    """The reason for reopening a closed period (kept in the audit log)."""

    reason = TextAreaField(_l("Reason for reopening"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Reopen"))


class SettingsForm(Form):
    """Organization target and floor, HR's access to comments, default language."""

    target = FloatField(_l("Target T (0–100)"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    floor = FloatField(_l("Quality floor F (0–100, below T)"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    hr_sees_comments = BooleanField(_l("HR sees comment text"))
    default_locale = SelectField(_l("Default language"), choices=[SelectChoice("en", "English"), SelectChoice("ru", "Русский")])
    submit = SubmitField(_l("Save settings"))


class CriterionForm(Form):
    """A rating criterion's names and weight."""

    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=100)])
    name_ru = StringField(_l("Name (Russian)"), validators=[Optional(), Length(max=100)])
    weight = FloatField(_l("Weight"), default=1.0, validators=[InputRequired(), NumberRange(min=0.001, max=1000, message=_l("The weight must be greater than 0."))])
    submit = SubmitField(_l("Save"))


__all__ = [
    "ContractForm",
    "CriterionForm",
    "DepartmentForm",
    "PasswordResetForm",
    "PeriodForm",
    "ReopenForm",
    "SettingsForm",
    "UserCreateForm",
    "UserEditForm",
]
