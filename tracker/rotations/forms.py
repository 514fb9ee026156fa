"""Forms of the rotations area; department choices are filled in by the views."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import CreateForm, DepartmentField, Form

DURATION_CHOICES = [SelectChoice("day", _l("a day")), SelectChoice("half_day", _l("half a day"))]
STATUS_CHOICES = [SelectChoice("planned", _l("planned")), SelectChoice("done", _l("done")),
                  SelectChoice("cancelled", _l("cancelled"))]


class RotationForm(CreateForm):
    """A rotation: who, from which department to which, when, for how long."""

    person = StringField(_l("Person"), validators=[DataRequired(), Length(max=200)])
    from_department_id = DepartmentField(_l("From department"), internal_only=True,
                                         search_endpoint="main.department_search")
    to_department_id = DepartmentField(_l("To department"), internal_only=True, search_endpoint="main.department_search")
    on_date = DateField(_l("Date"), validators=[DataRequired()])
    duration = SelectField(_l("Duration"), choices=DURATION_CHOICES, default="day")
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))


class StatusForm(Form):
    """Mark a rotation done or cancelled (or planned again)."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    submit = SubmitField(_l("Set status"))
