"""Forms of the follow-ups area. Required fields are checked by the service, which names them in its refusal."""
from flask_babel import lazy_gettext as _l
from ..forms import Form as TrackerForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class FollowUpForm(TrackerForm):
    """Open a follow-up on an agreement in one period (COO or admin)."""

    title = StringField(_l("What should change"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])
    due_date = DateField(_l("Resolve by"), validators=[Optional()])
    submit = SubmitField(_l("Open follow-up"))


class AcknowledgeForm(TrackerForm):
    """The owner acknowledges with the root cause."""

    root_cause = TextAreaField(_l("Root cause"), validators=[Length(max=5000)])
    acknowledge = SubmitField(_l("Acknowledge"))


class ActionForm(Form):
    """One planned action (a row of the plan)."""

    what = StringField(_l("What"), validators=[Length(max=5000)])
    who = StringField(_l("Who"), validators=[Length(max=200)])
    due_date = DateField(_l("Due date"), validators=[Optional()])


class PlanForm(TrackerForm):
    """The owner plans actions: what, who, due date."""

    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=20)
    plan = SubmitField(_l("Save the plan"))


class ResolveForm(TrackerForm):
    """The owner says what was done."""

    response = TextAreaField(_l("What was done"), validators=[Length(max=5000)])
    resolve = SubmitField(_l("Mark resolved"))


class ConfirmForm(TrackerForm):
    """The customer's head confirms the fix."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=5000)])
    confirm = SubmitField(_l("Confirm the fix"))


class ReopenForm(TrackerForm):
    """The customer's head reopens, with a reason."""

    reason = TextAreaField(_l("Why it is not fixed"), validators=[Length(max=5000)])
    reopen = SubmitField(_l("Reopen"))


class CancelForm(TrackerForm):
    """The COO or admin closes a follow-up without action, with a reason."""

    reason = StringField(_l("Reason for closing without action"), validators=[Length(max=5000)])
    cancel = SubmitField(_l("Close without action"))


class ReassignForm(TrackerForm):
    """The COO or admin gives the follow-up to another active user of the supplier department."""

    owner_id = SelectField(_l("Owner"), coerce=int, validate_choice=False)
    reassign = SubmitField(_l("Reassign"))


class DueForm(TrackerForm):
    """The COO or admin changes the due dates."""

    ack_due = DateField(_l("Acknowledge by"), validators=[Optional()])
    due_date = DateField(_l("Resolve by"), validators=[Optional()])
    set_due = SubmitField(_l("Change due dates"))
