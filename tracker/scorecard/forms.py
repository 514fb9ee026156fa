"""Forms of the scorecard area: KPI targets of the organization and of one department."""
from flask_babel import lazy_gettext as _l
from ..forms import Form as TrackerForm
from wtforms import DecimalField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

#: The six KPIs as the reader names them, in table order (the same as analysis.scorecard.METRICS).
METRIC_LABELS = {
    "nps": _l("Internal NPS"),
    "csat": _l("CSAT, %"),
    "standard_met": _l("Standard met, %"),
    "response_rate": _l("Response rate as a customer, %"),
    "followups_on_time": _l("Follow-ups acknowledged on time, %"),
    "mean_health": _l("Mean health of its agreements"),
}


def _fields(required: bool) -> dict:
    check = InputRequired() if required else Optional()
    return {metric: DecimalField(label, places=None, validators=[check, NumberRange(min=-100 if metric == "nps" else 0,
                                                                                    max=100)])
            for metric, label in METRIC_LABELS.items()}


OrganizationTargetsForm = type("OrganizationTargetsForm", (TrackerForm,), {
    **_fields(True), "submit": SubmitField(_l("Save targets")),
    "__doc__": "The organization's default KPI targets (every field required).",
})

DepartmentTargetsForm = type("DepartmentTargetsForm", (TrackerForm,), {
    **_fields(False), "submit": SubmitField(_l("Save targets")),
    "__doc__": "One department's own KPI targets; a blank field means the organization default.",
})
