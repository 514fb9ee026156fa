"""Forms of the informal network pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ..forms import Form as TrackerForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class NetworkUploadForm(TrackerForm):
    """Who asks whom (CSV, Pajek or GraphML) and, for a CSV edge list, the people file."""

    edges = FileField(_l("Ties: who asks whom (.csv, .txt, .net, .paj or .graphml)"), validators=[FileRequired()])
    people = FileField(_l("People: person id and department (.csv; not needed for Pajek or GraphML)"))
    department_column = StringField(_l("Department column or partition"), validators=[Optional(), Length(max=100)])
    relation = StringField(_l("Relation (Pajek layer; default the first)"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Upload and preview"))


class NetworkApplyForm(TrackerForm):
    """The previewed upload, kept on the server by random names, to be stored."""

    edges_stored = HiddenField(validators=[DataRequired(), Length(max=64)])
    people_stored = HiddenField(validators=[Optional(), Length(max=64)])
    edges_name = HiddenField(validators=[Optional(), Length(max=255)])
    people_name = HiddenField(validators=[Optional(), Length(max=255)])
    department_column = HiddenField(validators=[Optional(), Length(max=100)])
    relation = HiddenField(validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Import this survey"))


class ThresholdForm(TrackerForm):
    """The organization's shadow-service threshold."""

    threshold = IntegerField(_l("Shadow service threshold (informal ties)"),
                             validators=[DataRequired(), NumberRange(min=1, max=100000)])
    submit = SubmitField(_l("Save threshold"))
