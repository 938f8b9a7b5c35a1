"""Supply points: each POD code with the primary substation it sits under and, if known,
its annual consumption — one a line.

A company's supply points may sit under different primary substations, and the incentive
of an energy community is computed per substation: one substation per company cannot
describe them. Each part is read as its own kind reads it (a POD normalised only in its
usual shape, a substation code likewise, the consumption as a number in the page's
language) and kept as typed otherwise, with a warning.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from ... import formatting, validators
from ...events.models import QuestionKind
from .base import AnswerError, QuestionType, RunningCodes, Summary
from .numbers import stored_number
from .text import validator_message

#: Parts of a line: POD; substation; consumption (";", "|" or a tab between them).
_PARTS_RE = re.compile(r"\s*[;|\t]\s*")
TEXT_MAX = 20_000


class SupplyPoints(QuestionType):
    kind = QuestionKind.supply_points
    label = _l("Punti di prelievo con cabina primaria")
    compared_across_contacts = True

    def field_class(self, question):
        return TextAreaField

    def field_options(self, question):
        return {"render_kw": {"rows": 4}}

    def parse(self, question, raw, locale):
        if not isinstance(raw, str):
            raise AnswerError(_("Valore non valido."))
        if len(raw) > TEXT_MAX:
            raise AnswerError(validator_message(validators.InvalidValue("pod_list_too_long")))
        points: dict[str, dict] = {}
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            pod, substation, consumption, *extra = [*_PARTS_RE.split(line.strip()), "", ""]
            if any(extra):
                raise AnswerError(
                    _(
                        "Riga %(n)d: al massimo tre parti separate da «;»: codice POD, "
                        "cabina primaria, consumo annuo in kWh.",
                        n=number,
                    )
                )
            [code] = validators.read_pod_list(pod) or [""]
            if not code:
                raise AnswerError(_("Riga %(n)d: manca il codice POD.", n=number))
            kwh = None
            if consumption:
                try:
                    kwh = stored_number(validators.parse_number(consumption, locale, "kWh").value)
                except validators.InvalidValue as error:
                    raise AnswerError(
                        _("Riga %(n)d: ", n=number) + validator_message(error)
                    ) from None
                if kwh < 0:
                    raise AnswerError(
                        _("Riga %(n)d: il consumo non può essere negativo.", n=number)
                    )
            points[code] = {
                "pod": code,
                "substation": validators.read_substation_code(substation) if substation else "",
                "kwh": kwh,
            }
        return list(points.values())

    def form_value(self, question, value, locale):
        return "\n".join(
            "; ".join(
                part
                for part in (
                    point["pod"],
                    point.get("substation") or "",
                    formatting.number(point["kwh"], exact=True)
                    if point.get("kwh") is not None
                    else "",
                )
            ).rstrip("; ")
            for point in value
        )

    def _point(self, point: dict) -> str:
        details = []
        if point.get("substation"):
            details.append(_("cabina %(code)s", code=point["substation"]))
        if point.get("kwh") is not None:
            details.append(f"{formatting.number(point['kwh'], exact=True)} kWh")
        return f"{point['pod']} ({', '.join(details)})" if details else point["pod"]

    def display(self, question, value):
        return "; ".join(self._point(point) for point in value)

    def warnings(self, question, value):
        messages = []
        for point in value:
            if not validators.pod_looks_valid(point["pod"]):
                messages.append(
                    validator_message(validators.InvalidValue("pod_unusual", point["pod"]))
                )
            if point.get("substation") and validators.substation_code_warning(point["substation"]):
                messages.append(validator_message(validators.InvalidValue("substation_format")))
        return messages

    def cell(self, question, words):
        def text(value) -> str:
            if not isinstance(value, list):
                return str(value)
            return "; ".join(
                "/".join(
                    str(part)
                    for part in (point.get("pod"), point.get("substation"), point.get("kwh"))
                    if part not in (None, "")
                )
                for point in value
            )

        return text

    def anonymise(self, question, value, context):
        if not isinstance(value, list):
            return value
        # The codes go; substations and consumption, which describe the plant, stay.
        pods = context.pods
        return [
            {**point, "pod": pods.setdefault(point["pod"], f"POD anonimo {len(pods) + 1}")}
            for point in value
        ]

    def running_summary(self, question):
        return RunningSupplyPoints()

    def comparable(self, value):
        if isinstance(value, list):
            return tuple(sorted((p["pod"], p.get("substation"), p.get("kwh")) for p in value))
        return value

    def example(self, question, rng):
        return [
            {
                "pod": f"IT001E{rng.randrange(10**8):08d}",
                "substation": rng.choice(["AC001E00045", "AC001E00046", ""]),
                "kwh": rng.choice([None, rng.randrange(5_000, 500_000, 1000)]),
            }
            for _n in range(rng.randint(1, 3))
        ]


class RunningSupplyPoints(RunningCodes):
    """Supply points given in all, and the distinct substations they are under."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def add(self, value, number: int) -> None:
        self.count += len(value) * number
        for point in value:
            if point.get("substation"):
                self.add_code(point["substation"], number)

    def summary(self) -> Summary:
        return Summary(count=self.count, codes=list(self.codes()))
