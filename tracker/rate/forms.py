"""Forms of the rate blueprint: the rating form (criteria come from the settings) and respondents."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..formatting import criterion_name
from ..forms import Form
from ..models import Criterion, Rating
from ..services.ratings import RatingInput

NA = "na"
SCORE_CHOICES = [SelectChoice(str(s)) for s in range(1, 6)] + [SelectChoice(NA, _l("N/A"))]
RECOMMEND_CHOICES = [SelectChoice(str(n)) for n in range(0, 11)]
STANDARD_CHOICES = [SelectChoice("met", _l("met")), SelectChoice("partly", _l("partly")),
                    SelectChoice("missed", _l("missed")), SelectChoice(NA, _l("N/A"))]


class RatingForm(Form):
    """One respondent's answers about one contract; criterion fields are added per criterion."""

    standard_met = RadioField(_l("Was the agreed standard met?"), choices=STANDARD_CHOICES, validators=[Optional()])
    recommend = RadioField(_l("How likely are you to recommend this service to another department?"),
                           choices=RECOMMEND_CHOICES, validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    no_interaction = BooleanField(_l("No interaction this period"))
    submit = SubmitField(_l("Save rating"))

    criteria: list[Criterion] = []

    def criterion_fields(self) -> list:
        """The bound criterion fields, in form order."""
        return [self[score_field(c.key)] for c in self.criteria]

    def is_blank(self) -> bool:
        """True when nothing at all was answered (a bulk sub-form left alone is skipped)."""
        answered = [f.data for f in self.criterion_fields()] + [self.standard_met.data, self.recommend.data]
        return not any(answered) and not (self.comment.data or "").strip() and not self.no_interaction.data

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then: every criterion answered (a score or N/A) unless there was no interaction."""
        ok = super().validate(extra_validators)
        if not self.no_interaction.data:
            for f in self.criterion_fields():
                if not f.data and not f.errors:
                    f.errors.append(_l("Choose a score from 1 to 5, or N/A."))
                    ok = False
        return ok

    def to_input(self) -> RatingInput:
        """The answers as a :class:`RatingInput` (N/A and no answer become None)."""
        return RatingInput(
            scores={c.key: _int_or_none(self[score_field(c.key)].data) for c in self.criteria},
            recommend=_int_or_none(self.recommend.data),
            standard_met=None if self.standard_met.data in (None, "", NA) else self.standard_met.data,
            no_interaction=bool(self.no_interaction.data),
            comment=self.comment.data,
        )

    def fill_from(self, rating: Rating) -> None:
        """Show a saved rating's answers (a criterion without a score was N/A)."""
        scores = {s.criterion_id: s.score for s in rating.scores}
        for c in self.criteria:
            score = scores.get(c.id)
            self[score_field(c.key)].data = NA if score is None and not rating.no_interaction else (
                None if score is None else str(score))
        self.recommend.data = None if rating.recommend is None else str(rating.recommend)
        self.standard_met.data = rating.standard_met or (None if rating.no_interaction else NA)
        self.comment.data = rating.comment or ""
        self.no_interaction.data = rating.no_interaction

    def add_errors(self, errors: dict[str, str], messages: dict[str, str]) -> list[str]:
        """Attach service errors ``{field: reason}`` to the right fields; return those of no field."""
        loose = []
        for key, reason in errors.items():
            name = key if key in ("recommend", "standard_met", "comment") else score_field(key)
            if key and name in self:
                self[name].errors = list(self[name].errors) + [messages.get(key, reason)]
            else:
                loose.append(reason)
        return loose


def score_field(key: str) -> str:
    """Form field name of the criterion ``key``."""
    return f"score_{key}"


def rating_form_class(criteria: list[Criterion]) -> type[RatingForm]:
    """A :class:`RatingForm` subclass with one 1–5/N/A radio group per criterion."""
    fields = {
        score_field(c.key): RadioField(criterion_name(c), choices=SCORE_CHOICES,
                                       validators=[Optional()])
        for c in criteria
    }
    fields["criteria"] = list(criteria)
    return type("CriteriaRatingForm", (RatingForm,), fields)


class RespondentForm(Form):
    """Add a colleague of the department as a respondent."""

    user_id = SelectField(_l("Colleague"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Add respondent"))


def _int_or_none(value: str | None) -> int | None:
    if value in (None, "", NA):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):  # a forged choice; the field's own check reports it
        return None
