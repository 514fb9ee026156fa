"""Forms of the rotations area; department, person and agreement choices are filled in by the views."""
from flask_babel import lazy_gettext as _l
from ..forms import CreateForm, DepartmentField, Form as TrackerForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

DURATION_CHOICES = [SelectChoice("day", _l("a day")), SelectChoice("half_day", _l("half a day"))]
STATUS_CHOICES = [SelectChoice("done", _l("done")), SelectChoice("cancelled", _l("cancelled"))]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class RotationForm(CreateForm):
    """A rotation: who (a user, or a name and home department), where, when, how long, why."""

    person_user_id = SelectField(_l("Person (a user)"), coerce=_optional_int, validate_choice=False)
    person = StringField(_l("Person"), validators=[Optional(), Length(max=200)])
    # Typed codes with a searchable list (tracker.forms.DepartmentField): a select of every department
    # made the page grow with the organization.
    from_department_id = DepartmentField(_l("From department"), internal_only=True,
                                         search_endpoint="main.department_search")
    to_department_id = DepartmentField(_l("To department"), internal_only=True, search_endpoint="main.department_search")
    on_date = DateField(_l("Date"), validators=[Optional()])
    duration = SelectField(_l("Duration"), choices=DURATION_CHOICES, default="day")
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    contract_id = SelectField(_l("Linked agreement"), coerce=_optional_int, validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))


class StatusForm(TrackerForm):
    """Mark a planned rotation done (with both sides' notes) or cancelled (with a reason)."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    visitor_note = TextAreaField(_l("Visitor's note"), validators=[Optional(), Length(max=2000)])
    host_note = TextAreaField(_l("Host's note"), validators=[Optional(), Length(max=2000)])
    cancel_reason = TextAreaField(_l("Reason for cancelling"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Set status"))


class MoveForm(TrackerForm):
    """Move a planned rotation to another week of its period."""

    week = DateField(_l("Week"), validators=[Optional()])
    submit = SubmitField(_l("Move"))


class RotationSettingsForm(TrackerForm):
    """Weekly capacities (default and per department), how long a rotation keeps a pair out, the calendar's zone."""

    sends = IntegerField(_l("People a department may send per week"), validators=[InputRequired(), NumberRange(0, 50)])
    hosts = IntegerField(_l("People a department may host per week"), validators=[InputRequired(), NumberRange(0, 50)])
    skip_periods = IntegerField(_l("Skip pairs with a rotation in the last N periods"),
                                validators=[InputRequired(), NumberRange(0, 50)])
    timezone = StringField(_l("Time zone of the calendar"), validators=[InputRequired(), Length(max=60)])
    overrides = TextAreaField(_l("Per department: code, sends, hosts (one per line)"),
                              validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Save"))
