"""Forms of the follow-ups area."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import CreateForm, Form


class FollowUpForm(CreateForm):
    """Open a follow-up on an agreement's low ratings in one period."""

    title = StringField(_l("What should change"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    submit = SubmitField(_l("Open follow-up"))


class ResponseForm(Form):
    """The supplier head's answer; "Mark done" also closes the follow-up."""

    response = TextAreaField(_l("Your answer: what was done"), validators=[Optional(), Length(max=5000)])
    save = SubmitField(_l("Save answer"))
    done = SubmitField(_l("Mark done"))


class CancelForm(Form):
    """The COO or admin cancels a follow-up, with a reason."""

    reason = StringField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=500)])
    cancel = SubmitField(_l("Cancel follow-up"))
