"""Answers chosen from a list: single and multiple choice, yes/no, a declaration to tick."""

import json
from collections import Counter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ...events.models import QuestionKind
from .base import AnswerError, QuestionType, options_summary, respondents, tally


class MultiCheckboxField(SelectMultipleField):
    """Several tick boxes; used for multiple-choice questions."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def yes_no() -> list[tuple[str, str]]:
    """The two answers of a yes/no question, in the current language."""
    return [("yes", _("Sì")), ("no", _("No"))]


class Choice(QuestionType):
    kind = QuestionKind.choice
    label = _l("Scelta singola")
    settings = ("choices",)
    can_be_condition = True
    few_values = True
    filterable = True

    def field_class(self, question):
        return RadioField

    def field_options(self, question):
        return {
            "choices": [SelectChoice(v, label) for v, label in question.options()],
            "validate_choice": False,
        }

    def parse(self, question, raw, locale):
        if raw not in question.choice_values():
            raise AnswerError(_("Scegliere una delle opzioni proposte."))
        return raw

    def display(self, question, value):
        return question.choice_label(value)

    def condition_options(self, question):
        return question.options()

    def cell(self, question, words):
        labels = dict(reversed(question.options()))  # the first of equal values wins

        def label(value) -> str:
            try:
                return labels[value]
            except (KeyError, TypeError):  # a value no longer offered, or odd data
                return question.choice_label(value)

        return label

    def summarise(self, question, counted):
        return options_summary(question.options(), tally(counted), respondents(counted))

    def filter_options(self, question):
        return question.options()

    def filter_value(self, question, raw):
        return raw if raw in question.choice_values() else None

    def check_settings(self, choices, settings):
        values = [choice["value"] for choice in choices]
        if len(values) < 2:
            return {"choices": _("Scrivi almeno due opzioni, una per riga.")}
        if len(set(values)) < len(values):
            repeated = sorted({value for value in values if values.count(value) > 1})
            return {
                "choices": _(
                    "Due opzioni hanno lo stesso valore (%(values)s): cambiane uno.",
                    values=", ".join(repeated),
                )
            }
        return {}

    def details(self, question):
        return _("Opzioni") + ": " + ", ".join(label for _v, label in question.options())

    def example(self, question, rng):
        return rng.choice(question.choice_values())


class MultiChoice(Choice):
    kind = QuestionKind.multichoice
    label = _l("Scelta multipla")
    multiple_answers = True
    filterable = True

    def field_class(self, question):
        return MultiCheckboxField

    def filter_matches(self, stored_text, value):
        # The list holds the value: its JSON string, quotes included, appears in the text.
        return stored_text.contains(json.dumps(value), autoescape=True)

    def filter_accepts(self, stored, value):
        return isinstance(stored, list) and value in stored

    def parse(self, question, raw, locale):
        allowed = question.choice_values()
        if not isinstance(raw, list) or any(value not in allowed for value in raw):
            raise AnswerError(_("Scegliere tra le opzioni proposte."))
        # The organiser's order, each value once.
        return [value for value in allowed if value in raw]

    def display(self, question, value):
        return ", ".join(question.choice_label(v) for v in value)

    def cell(self, question, words):
        label = super().cell(question, words)
        return lambda value: "; ".join(label(v) for v in value)

    def summarise(self, question, counted):
        ticked = Counter()
        for chosen, number in counted:
            for value in chosen:
                ticked[value] += number
        return options_summary(question.options(), ticked, respondents(counted), multiple=True)

    def comparable(self, value):
        return tuple(sorted(value)) if isinstance(value, list) else value

    def example(self, question, rng):
        values = question.choice_values()
        picked = set(rng.sample(values, rng.randint(1, len(values))))
        return [value for value in values if value in picked]


class YesNo(QuestionType):
    kind = QuestionKind.yesno
    label = _l("Sì/No")
    can_be_condition = True
    few_values = True
    filterable = True

    def field_class(self, question):
        return RadioField

    def field_options(self, question):
        return {
            "choices": [SelectChoice(v, label) for v, label in yes_no()],
            "validate_choice": False,
        }

    def parse(self, question, raw, locale):
        if raw not in ("yes", "no"):
            raise AnswerError(_("Scegliere «Sì» o «No»."))
        return raw == "yes"

    def form_value(self, question, value, locale):
        return "yes" if value else "no"

    def display(self, question, value):
        return _("Sì") if value else _("No")

    def condition_options(self, question):
        return yes_no()

    def cell(self, question, words):
        return lambda value: words["yes"] if value else words["no"]

    def summarise(self, question, counted):
        answers = tally(("yes" if value else "no", number) for value, number in counted)
        return options_summary(yes_no(), answers, respondents(counted))

    def filter_options(self, question):
        return yes_no()

    def filter_value(self, question, raw):
        return {"yes": True, "no": False}.get(raw)

    def example(self, question, rng):
        return rng.random() < 0.5


class Declaration(QuestionType):
    """A statement to tick (e.g. "I know this interest is not binding")."""

    kind = QuestionKind.checkbox
    label = _l("Dichiarazione da spuntare")
    few_values = True

    def field_class(self, question):
        return BooleanField

    def required_message(self, question):
        return _("Spunta questa casella per proseguire.")

    def parse(self, question, raw, locale):
        return bool(raw)

    def display(self, question, value):
        return _("Sì") if value else _("No")

    def cell(self, question, words):
        return lambda value: words["yes"] if value else words["no"]

    def summarise(self, question, counted):
        # An unticked declaration is not stored: only its "yes" can be counted.
        ticked = tally(("yes", number) for value, number in counted if value)
        return options_summary([("yes", _("Sì"))], ticked, respondents(counted))

    def example(self, question, rng):
        return True
