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
        "Interesse ad aderire, tipo di membro, dimensione (addetti, fatturato, bilancio, "
        "gruppo) e attività dell'impresa, ruolo, punti di prelievo con la loro cabina "
        "primaria e i consumi, impianti fotovoltaici esistenti e previsti con la loro cabina, "
        "tetti: le risposte alimentano il riepilogo per la comunità energetica."
    ),
    questions=(
        Template(
            "interest", QuestionKind.choice,
            "Interesse ad aderire alla Comunità Energetica",
            "Interest in joining the Energy Community",
            "La manifestazione di interesse non è vincolante.",
            "Expressing interest is not binding.",
            True,
            _options(
                ("yes", "Sì, c'è interesse ad aderire", "Yes, we are interested in joining"),
                ("more_info", "Servono più informazioni prima di decidere",
                 "We need more information before deciding"),
                ("no", "No, per ora solo la partecipazione all'incontro",
                 "No, for now we only attend the meeting"),
            ),
            meaning=Meaning.interest,
        ),
        Template(
            "member_kind", QuestionKind.choice, "Si partecipa come", "Taking part as",
            required=True,
            options=_options(
                ("company", "Impresa", "Company"),
                ("public_body", "Ente pubblico", "Public body"),
                ("association", "Associazione o ente del terzo settore",
                 "Association or third-sector body"),
                ("person", "Persona fisica", "Private person"),
            ),
            condition=("interest", INTERESTED),
            meaning=Meaning.member_kind,
        ),
        Template(
            "staff", QuestionKind.choice, "Addetti dell'impresa", "Staff of the company",
            "Unità di lavoro annue, come nella definizione europea di PMI. Se l'impresa fa "
            "parte di un gruppo, comprese quelle delle imprese associate e collegate.",
            "Annual work units, as in the EU definition of SMEs. If the company is part of a "
            "group, including those of its partner and linked enterprises.",
            True,
            _options(
                ("lt10", "Meno di 10", "Fewer than 10"),
                ("10_49", "Da 10 a 49", "10 to 49"),
                ("50_249", "Da 50 a 249", "50 to 249"),
                ("250_plus", "250 o più", "250 or more"),
            ),
            condition=("member_kind", ("company",)),
            meaning=Meaning.staff_band,
        ),
        Template(
            "turnover", QuestionKind.choice, "Fatturato annuo", "Annual turnover",
            "Dell'ultimo esercizio chiuso; per un gruppo, comprese le imprese associate e "
            "collegate.",
            "Of the last closed financial year; for a group, including partner and linked "
            "enterprises.",
            options=_options(
                ("le2", "Fino a 2 milioni di euro", "Up to €2 million"),
                ("le10", "Da 2 a 10 milioni di euro", "€2 to €10 million"),
                ("le50", "Da 10 a 50 milioni di euro", "€10 to €50 million"),
                ("gt50", "Oltre 50 milioni di euro", "Over €50 million"),
            ),
            condition=("member_kind", ("company",)),
            meaning=Meaning.turnover_band,
        ),
        Template(
            "balance_sheet", QuestionKind.choice, "Totale di bilancio annuo",
            "Annual balance-sheet total",
            "Dell'ultimo esercizio chiuso; per un gruppo, comprese le imprese associate e "
            "collegate. Basta uno tra fatturato e bilancio, meglio entrambi.",
            "Of the last closed financial year; for a group, including partner and linked "
            "enterprises. One of turnover and balance sheet is enough, both are better.",
            options=_options(
                ("le2", "Fino a 2 milioni di euro", "Up to €2 million"),
                ("le10", "Da 2 a 10 milioni di euro", "€2 to €10 million"),
                ("le43", "Da 10 a 43 milioni di euro", "€10 to €43 million"),
                ("gt43", "Oltre 43 milioni di euro", "Over €43 million"),
            ),
            condition=("member_kind", ("company",)),
            meaning=Meaning.balance_sheet_band,
        ),
        Template(
            "group", QuestionKind.yesno,
            "L'impresa fa parte di un gruppo (imprese associate o collegate)?",
            "Is the company part of a group (partner or linked enterprises)?",
            "In tal caso addetti, fatturato e bilancio vanno indicati per il gruppo.",
            "If so, staff, turnover and balance sheet are those of the group.",
            condition=("member_kind", ("company",)),
            meaning=Meaning.part_of_group,
        ),
        Template(
            "ateco", QuestionKind.ateco, "Codice ATECO prevalente", "Prevalent ATECO code",
            "Nel formato NN.NN.NN, ad esempio 25.62.00. Si trova nella visura camerale.",
            "As NN.NN.NN, for example 25.62.00. It is on the company's chamber of commerce "
            "record (visura camerale).",
            condition=("member_kind", ("company",)),
            meaning=Meaning.ateco_code,
        ),
        Template(
            "ateco_edition", QuestionKind.choice, "Il codice ATECO è della classificazione",
            "The ATECO code is from the classification",
            "Dal 1° aprile 2025 le visure riportano ATECO 2025; un codice di una visura "
            "precedente è ATECO 2007.",
            "Since 1 April 2025 company records show ATECO 2025; a code from an older record "
            "is ATECO 2007.",
            options=_options(
                ("2025", "ATECO 2025", "ATECO 2025"),
                ("2007", "ATECO 2007", "ATECO 2007"),
            ),
            condition=("member_kind", ("company",)),
            meaning=Meaning.ateco_edition,
        ),
        Template(
            "area", QuestionKind.choice,
            "Dove si trovano i punti di prelievo e gli impianti?",
            "Where are the supply points and the plants?",
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
            "role", QuestionKind.choice, "Ruolo nella comunità", "Role in the community",
            required=True,
            options=_options(
                ("consumer", "Consumatore: si usa l'energia condivisa",
                 "Consumer: using the shared energy"),
                ("producer", "Produttore: si mette a disposizione l'energia di un impianto",
                 "Producer: sharing the energy of a plant"),
                ("prosumer", "Entrambi: si produce e si consuma", "Both: producing and consuming"),
            ),
            condition=("interest", INTERESTED),
            meaning=Meaning.community_role,
        ),
        Template(
            "supply_points", QuestionKind.supply_points,
            "Punti di prelievo (POD), con la cabina primaria e il consumo annuo",
            "Supply points (POD), with their primary substation and annual consumption",
            "Uno per riga: codice POD; cabina primaria; consumo annuo in kWh. Il POD è in "
            "bolletta (IT, 3 cifre, E e 8 cifre); la cabina primaria, se nota, dalla mappa del "
            "GSE. Ad esempio: IT001E12345678; AC001E00045; 120.000",
            "One a line: POD code; primary substation; annual consumption in kWh. The POD is on "
            "the electricity bill (IT, 3 digits, E and 8 digits); the primary substation, if "
            "known, from GSE's map. For example: IT001E12345678; AC001E00045; 120,000",
            condition=("interest", INTERESTED),
            meaning=Meaning.supply_points,
        ),
        Template(
            "annual_kwh", QuestionKind.number, "Consumo annuo complessivo di energia elettrica",
            "Total annual electricity consumption",
            "In kWh all'anno, dalle bollette degli ultimi 12 mesi, ad esempio 120.000. Serve se "
            "i consumi non sono indicati per punto di prelievo.",
            "In kWh a year, from the bills of the last 12 months, for example 120,000. Needed if "
            "consumption is not given per supply point.",
            settings={"unit": "kWh", "min": 0, "max": 1_000_000_000, "integer": True},
            condition=("role", ("consumer", "prosumer")),
            meaning=Meaning.annual_consumption_kwh,
        ),
        Template(
            "has_pv", QuestionKind.yesno, "C'è già un impianto fotovoltaico?",
            "Is there already a photovoltaic plant?",
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
            "pv_existing_period", QuestionKind.choice, "L'impianto è entrato in esercizio",
            "The plant started operating",
            "Gli impianti in esercizio prima del 16 dicembre 2021 possono far parte della "
            "comunità, ma senza tariffa premio.",
            "Plants in operation before 16 December 2021 may be part of the community, but "
            "get no premium tariff.",
            options=_options(
                ("before", "Prima del 16 dicembre 2021", "Before 16 December 2021"),
                ("after", "Dal 16 dicembre 2021 in poi", "On or after 16 December 2021"),
            ),
            condition=("has_pv", ("yes",)),
            meaning=Meaning.existing_pv_period,
        ),
        Template(
            "pv_existing_substation", QuestionKind.substation,
            "Cabina primaria dell'impianto esistente, se nota",
            "Primary substation of the existing plant, if known",
            "Ad esempio AC001E00045, dalla mappa delle cabine primarie del GSE.",
            "For example AC001E00045, from GSE's map of primary substations.",
            condition=("has_pv", ("yes",)),
            meaning=Meaning.existing_pv_substation,
        ),
        Template(
            "net_metering", QuestionKind.yesno, "È attivo lo scambio sul posto?",
            "Is net metering (scambio sul posto) active?",
            condition=("has_pv", ("yes",)),
            meaning=Meaning.net_metering,
        ),
        Template(
            "pv_planned_kwp", QuestionKind.number,
            "Potenza del nuovo impianto che si potrebbe realizzare",
            "Power of the new plant that could be built",
            "In kWp. Al massimo 1.000 kWp per impianto.",
            "In kWp. At most 1,000 kWp a plant.",
            settings={"unit": "kWp", "min": 0, "max": 1000},
            condition=("role", ("producer", "prosumer")),
            meaning=Meaning.planned_pv_kwp,
        ),
        Template(
            "pv_planned_substation", QuestionKind.substation,
            "Cabina primaria del nuovo impianto, se nota",
            "Primary substation of the new plant, if known",
            "Ad esempio AC001E00045.", "For example AC001E00045.",
            condition=("role", ("producer", "prosumer")),
            meaning=Meaning.planned_pv_substation,
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
            "asbestos", QuestionKind.yesno, "La copertura è in amianto?", "Is the roof asbestos?",
            "Un tetto in amianto va bonificato prima di installare i pannelli.",
            "An asbestos roof must be cleared before panels are installed.",
            condition=("interest", INTERESTED),
            meaning=Meaning.asbestos_roof,
        ),
        Template(
            "invest", QuestionKind.choice, "Disponibilità a investire in un impianto",
            "Willingness to invest in a plant",
            options=_options(
                ("yes", "Sì", "Yes"),
                ("no", "No", "No"),
                ("evaluate", "Da valutare", "To be assessed"),
            ),
            condition=("interest", INTERESTED),
        ),
        Template(
            "notes", QuestionKind.textarea, "Note", "Notes",
            "Domande o informazioni per gli organizzatori.",
            "Questions or information for the organisers.",
            settings={"max_length": 2000},
        ),
        Template(
            "non_binding", QuestionKind.checkbox,
            "Questa manifestazione di interesse non è vincolante e non comporta alcun impegno.",
            "This expression of interest is not binding and commits to nothing.",
            required=True,
            condition=("interest", INTERESTED),
        ),
    ),
)  # fmt: skip

#: The questionnaires the builder offers, by key.
QUESTIONNAIRES = {questionnaire.key: questionnaire for questionnaire in (ENERGY_COMMUNITY,)}


def _question(template: Template, code: str, position: int) -> Question:
    question = Question(code=code, position=position)
    _apply_template(question, template)
    return question


def _apply_template(question: Question, template: Template) -> None:
    """The template's kind, texts in both languages, options, settings and meaning."""
    question.kind = template.kind
    question.label = template.label
    question.help_text = template.help_text
    question.is_required = template.required
    question.choices = [
        {"value": o.value, "label": o.label, "label_en": o.label_en} for o in template.options
    ]
    question.settings = dict(template.settings)
    question.meaning = template.meaning
    question.set_translation("label", "en", template.label_en)
    question.set_translation("help_text", "en", template.help_en)


def sync_questionnaire(event: Event, questionnaire: Questionnaire) -> None:
    """Make *event*'s form the questionnaire as it is now (the demo event, seeded again
    after the questionnaire changed): texts, meanings and order brought up to date, new
    questions added, questions no longer in it archived with their answers. The caller
    commits."""
    by_code = {question.code: question for question in event.questions}
    for position, template in enumerate(questionnaire.questions):
        question = by_code.get(template.code)
        if question is None:
            question = by_code[template.code] = _question(template, template.code, position)
            event.questions.append(question)
        elif not question.is_archived:
            _apply_template(question, template)
        question.position = position
        if template.condition:
            parent_code, values = template.condition
            question.condition_question = by_code[parent_code]
            question.condition_values = list(values)
    codes = {template.code for template in questionnaire.questions}
    for position, question in enumerate(
        (q for q in event.questions if q.code not in codes), start=len(codes)
    ):
        question.is_archived = True
        question.position = position


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
        question = _question(template, code, position + offset)
        if template.condition:
            parent_code, values = template.condition
            question.condition_question = added[parent_code]
            question.condition_values = list(values)
        event.questions.append(question)
        added[template.code] = question
    return list(added.values())
