"""Ready-made questionnaires an organiser inserts into any event's form with one click.

Each question carries its meaning (``Meaning``), so panels and exports find the answers
whatever the event; and its English, so that the form reads entirely in English there.
The demo event is built from the same questionnaire.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..events.models import Event, Meaning, Question, QuestionKind


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str


@dataclass(frozen=True)
class Template:
    """One question of a questionnaire, in both languages."""

    code: str
    kind: QuestionKind
    label: str
    label_en: str
    help_text: str = ""
    help_en: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    settings: dict = field(default_factory=dict)
    #: Asked only when the earlier question with this code has one of these answers.
    condition: tuple[str, tuple[str, ...]] | None = None
    meaning: Meaning | None = None


@dataclass(frozen=True)
class Questionnaire:
    key: str
    title: str
    description: str
    questions: tuple[Template, ...]


INTERESTED = ("yes", "more_info")


def _options(*rows: tuple[str, str, str]) -> tuple[Option, ...]:
    return tuple(Option(*row) for row in rows)


ENERGY_COMMUNITY = Questionnaire(
    key="energy_community",
    title=_l("Comunità energetica rinnovabile: manifestazione di interesse"),
    description=_l(
        "Interesse ad aderire, tipo di membro, dimensione e attività dell'impresa, area, ruolo, "
        "consumi, impianti fotovoltaici esistenti e previsti, tetti, punti di prelievo (POD) "
        "e cabina primaria: le risposte alimentano il riepilogo per la comunità energetica."
    ),
    questions=(
        Template(
            "interest", QuestionKind.choice,
            "Vuoi manifestare interesse ad aderire alla Comunità Energetica?",
            "Would you like to express interest in joining the Energy Community?",
            "La manifestazione di interesse non è vincolante.",
            "Expressing interest is not binding.",
            True,
            _options(
                ("yes", "Sì, sono interessato ad aderire", "Yes, we are interested in joining"),
                ("more_info", "Vorrei saperne di più prima di decidere",
                 "We would like to know more before deciding"),
                ("no", "No, per ora partecipo solo all'incontro",
                 "No, for now we only attend the meeting"),
            ),
            meaning=Meaning.interest,
        ),
        Template(
            "member_kind", QuestionKind.choice, "Parteciperesti come", "You would take part as",
            required=True,
            options=_options(
                ("company", "Impresa", "Company"),
                ("public_body", "Ente pubblico", "Public body"),
                ("association", "Associazione", "Association"),
                ("person", "Persona fisica", "Private person"),
            ),
            condition=("interest", INTERESTED),
            meaning=Meaning.member_kind,
        ),
        Template(
            "company_size", QuestionKind.choice, "Dimensione dell'impresa", "Size of the company",
            required=True,
            options=_options(
                ("micro", "Micro (meno di 10 addetti)", "Micro (fewer than 10 staff)"),
                ("small", "Piccola (da 10 a 49 addetti)", "Small (10 to 49 staff)"),
                ("medium", "Media (da 50 a 249 addetti)", "Medium (50 to 249 staff)"),
                ("large", "Grande (250 addetti o più)", "Large (250 staff or more)"),
            ),
            condition=("member_kind", ("company",)),
            meaning=Meaning.company_size,
        ),
        Template(
            "ateco", QuestionKind.ateco, "Codice ATECO dell'attività principale",
            "ATECO code of the main activity",
            "Nel formato NN.NN.NN, ad esempio 25.62.00. Lo trovi nella visura camerale.",
            "As NN.NN.NN, for example 25.62.00. It is on the company's chamber of commerce "
            "record (visura camerale).",
            condition=("member_kind", ("company",)),
            meaning=Meaning.ateco_code,
        ),
        Template(
            "area", QuestionKind.choice, "In quale area si trova la tua sede?",
            "In which area are your premises?",
            required=True,
            options=_options(
                ("ex_olivetti", "Area Ex Olivetti", "Ex Olivetti area"),
                ("pip_pierina", "PIP Pierina", "PIP Pierina"),
                ("other", "Altra zona", "Elsewhere"),
            ),
            condition=("interest", INTERESTED),
            meaning=Meaning.area,
        ),
        Template(
            "role", QuestionKind.choice, "Che ruolo avresti nella comunità?",
            "What role would you have in the community?",
            required=True,
            options=_options(
                ("consumer", "Consumatore: uso l'energia condivisa",
                 "Consumer: we use the shared energy"),
                ("producer", "Produttore: metto a disposizione l'energia del mio impianto",
                 "Producer: we share the energy of our plant"),
                ("prosumer", "Entrambi: produco e consumo", "Both: we produce and consume"),
            ),
            condition=("interest", INTERESTED),
            meaning=Meaning.community_role,
        ),
        Template(
            "annual_kwh", QuestionKind.number, "Consumo annuo di energia elettrica",
            "Annual electricity consumption",
            "In kWh all'anno, come nelle bollette degli ultimi 12 mesi. Ad esempio 120.000.",
            "In kWh a year, as on the bills of the last 12 months. For example 120,000.",
            settings={"unit": "kWh", "min": 0, "max": 1_000_000_000, "integer": True},
            condition=("role", ("consumer", "prosumer")),
            meaning=Meaning.annual_consumption_kwh,
        ),
        Template(
            "has_pv", QuestionKind.yesno, "Hai già un impianto fotovoltaico?",
            "Do you already have a photovoltaic plant?",
            condition=("interest", INTERESTED),
            meaning=Meaning.has_pv,
        ),
        Template(
            "pv_existing_kwp", QuestionKind.number, "Potenza dell'impianto fotovoltaico esistente",
            "Power of the existing photovoltaic plant",
            "In kWp, ad esempio 49,5.", "In kWp, for example 49.5.",
            settings={"unit": "kWp", "min": 0, "max": 100_000},
            condition=("has_pv", ("yes",)),
            meaning=Meaning.existing_pv_kwp,
        ),
        Template(
            "pv_existing_year", QuestionKind.year, "Anno di entrata in esercizio dell'impianto",
            "Year the plant started operating",
            "Ad esempio 2019.", "For example 2019.",
            settings={"min": 1990, "max": 2100},
            condition=("has_pv", ("yes",)),
            meaning=Meaning.existing_pv_year,
        ),
        Template(
            "net_metering", QuestionKind.yesno, "È attivo lo scambio sul posto?",
            "Is net metering (scambio sul posto) active?",
            condition=("has_pv", ("yes",)),
        ),
        Template(
            "pv_planned_kwp", QuestionKind.number,
            "Potenza del nuovo impianto che potresti realizzare",
            "Power of the new plant you could build",
            "In kWp. Al massimo 1.000 kWp per impianto.",
            "In kWp. At most 1,000 kWp a plant.",
            settings={"unit": "kWp", "min": 0, "max": 1000},
            condition=("role", ("producer", "prosumer")),
            meaning=Meaning.planned_pv_kwp,
        ),
        Template(
            "roof_area_m2", QuestionKind.number,
            "Superficie di tetto disponibile per il fotovoltaico",
            "Roof area available for photovoltaics",
            "In metri quadrati, ad esempio 800.", "In square metres, for example 800.",
            settings={"unit": "m²", "min": 0, "max": 1_000_000},
            condition=("interest", INTERESTED),
            meaning=Meaning.roof_area_m2,
        ),
        Template(
            "invest", QuestionKind.choice, "Saresti disposto a investire in un impianto?",
            "Would you be willing to invest in a plant?",
            options=_options(
                ("yes", "Sì", "Yes"),
                ("no", "No", "No"),
                ("evaluate", "Da valutare", "To be assessed"),
            ),
            condition=("interest", INTERESTED),
        ),
        Template(
            "pods", QuestionKind.pod, "Codici POD dei punti di prelievo",
            "POD codes of the supply points",
            "Li trovi in bolletta: IT, 3 cifre, E e 8 cifre, ad esempio IT001E12345678. "
            "Se ne hai più di uno scrivine uno per riga.",
            "They are on the electricity bill: IT, 3 digits, E and 8 digits, for example "
            "IT001E12345678. If you have more than one, write one a line.",
            condition=("interest", INTERESTED),
            meaning=Meaning.pod_codes,
        ),
        Template(
            "substation", QuestionKind.substation, "Codice della cabina primaria, se lo conosci",
            "Code of the primary substation, if you know it",
            "È indicato sulla mappa delle cabine primarie del GSE, ad esempio AC001E00045.",
            "It is on GSE's map of primary substations, for example AC001E00045.",
            condition=("interest", INTERESTED),
            meaning=Meaning.primary_substation,
        ),
        Template(
            "notes", QuestionKind.textarea, "Note", "Notes",
            "Domande o informazioni per gli organizzatori.",
            "Questions or information for the organisers.",
            settings={"max_length": 2000},
        ),
        Template(
            "non_binding", QuestionKind.checkbox,
            "Sono consapevole che questa manifestazione di interesse non è vincolante e non "
            "comporta alcun impegno.",
            "I understand that this expression of interest is not binding and commits us to "
            "nothing.",
            required=True,
            condition=("interest", INTERESTED),
        ),
    ),
)  # fmt: skip

#: The questionnaires the builder offers, by key.
QUESTIONNAIRES = {questionnaire.key: questionnaire for questionnaire in (ENERGY_COMMUNITY,)}


def add_questionnaire(event: Event, questionnaire: Questionnaire) -> list[Question]:
    """Append *questionnaire*'s questions to *event*'s form (the caller commits).

    A code the event already uses gets a number ("interest_2"); conditions point to the
    questionnaire's own questions.
    """
    taken = {question.code for question in event.questions}
    position = max((q.position for q in event.questions), default=-1) + 1
    added: dict[str, Question] = {}
    for offset, template in enumerate(questionnaire.questions):
        code, n = template.code, 2
        while code in taken:
            code, n = f"{template.code}_{n}", n + 1
        taken.add(code)
        question = Question(
            code=code,
            kind=template.kind,
            label=template.label,
            help_text=template.help_text,
            is_required=template.required,
            choices=[
                {"value": o.value, "label": o.label, "label_en": o.label_en}
                for o in template.options
            ],
            settings=dict(template.settings),
            position=position + offset,
            meaning=template.meaning,
        )
        question.set_translation("label", "en", template.label_en)
        question.set_translation("help_text", "en", template.help_en)
        if template.condition:
            parent_code, values = template.condition
            question.condition_question = added[parent_code]
            question.condition_values = list(values)
        event.questions.append(question)
        added[template.code] = question
    return list(added.values())
