"""Built-in event types: where a new event may start instead of a blank page.

A type is what the editor would be filled in with: its form profile and suggested texts
as the editor's own field values (the editor checks them like anything typed), and
optionally a ready-made questionnaire of the question builder, added when the event is
created. Suggested texts are event content, in Italian; parts in square brackets are
for the organiser to replace.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..events.models import FieldUse, Registrants
from ..questions.library import ENERGY_COMMUNITY, Questionnaire


@dataclass(frozen=True)
class EventType:
    key: str
    name: str
    description: str
    #: The editor's fields this type fills in (names as in ``EventForm``); the others
    #: keep the editor's defaults.
    form_data: dict = field(default_factory=dict)
    #: Added to the event's questions when it is created.
    questionnaire: Questionnaire | None = None

    @property
    def collects_interest(self) -> bool:
        """The form offers "I only express interest" (the editor's default is yes)."""
        return self.form_data.get("allows_interest_only", True)


def _profile(
    registrants: Registrants,
    organisation: FieldUse,
    tax_id: FieldUse,
    phone: FieldUse,
    *,
    party_size: bool,
    in_person: bool,
    online: bool,
    interest_only: bool,
) -> dict:
    """The form-profile part of the editor's data."""
    return {
        "registrants": registrants.value,
        "organisation_field": organisation.value,
        "tax_id_field": tax_id.value,
        "phone_field": phone.value,
        "asks_party_size": party_size,
        "allows_in_person": in_person,
        "allows_online": online,
        "allows_interest_only": interest_only,
    }


COMPANY_MEETING = EventType(
    key="company_meeting",
    name=_l("Incontro informativo per aziende con manifestazione di interesse"),
    description=_l(
        "Si iscrivono le aziende, con ragione sociale e partita IVA; in presenza o online. "
        "Chi non può venire può comunque manifestare interesse, senza impegno."
    ),
    form_data={
        **_profile(
            Registrants.organisations,
            FieldUse.required,
            FieldUse.required,
            FieldUse.optional,
            party_size=True,
            in_person=True,
            online=True,
            interest_only=True,
        ),
        "max_party_size": "3",
        "summary": (
            "Incontro per le aziende su [argomento]: che cosa prevede, come partecipare e come "
            "manifestare interesse, senza impegno."
        ),
        "description": (
            "In questo incontro presentiamo alle aziende [argomento] e spieghiamo:\n\n"
            "- [primo punto];\n"
            "- [secondo punto];\n"
            "- come manifestare interesse e quali sono i prossimi passi.\n\n"
            "Nel modulo di iscrizione è possibile manifestare interesse, in modo non "
            "vincolante, anche senza partecipare all'incontro.\n"
        ),
    },
)

RESIDENTS_MEETING = EventType(
    key="residents_meeting",
    name=_l("Assemblea pubblica per cittadini"),
    description=_l(
        "Si iscrivono privati cittadini: nessun dato di aziende, nessuna partita IVA, nessuna "
        "manifestazione di interesse; in presenza, anche con familiari."
    ),
    form_data={
        **_profile(
            Registrants.people,
            FieldUse.hidden,
            FieldUse.hidden,
            FieldUse.hidden,
            party_size=True,
            in_person=True,
            online=False,
            interest_only=False,
        ),
        "max_party_size": "4",
        "summary": "Assemblea pubblica aperta a tutti i cittadini su [argomento].",
        "description": (
            "L'amministrazione invita i cittadini a un'assemblea pubblica su [argomento].\n\n"
            "Durante la serata:\n\n"
            "- presentiamo [progetto o proposta];\n"
            "- rispondiamo alle domande dei presenti;\n"
            "- raccogliamo osservazioni e proposte.\n\n"
            "L'ingresso è libero; l'iscrizione aiuta a preparare la sala.\n"
        ),
    },
)

ENERGY_COMMUNITY_MEMBERS = EventType(
    key="energy_community",
    name=_l("Comunità energetica: raccolta adesioni"),
    description=_l(
        "Come l'incontro sulla comunità energetica di Crema: si iscrivono aziende ed enti, e "
        "alle domande si aggiunge il questionario della comunità energetica (interesse, "
        "consumi, punti di prelievo, fotovoltaico), che alimenta il riepilogo per la comunità."
    ),
    # The demo's energy-community meeting asks the editor's default profile: companies and
    # bodies, every way to take part, interest without attending.
    form_data={
        "summary": (
            "Incontro per le aziende di [area] sulla comunità energetica rinnovabile: che cos'è, "
            "come aderire e come manifestare interesse."
        ),
        "description": (
            "Le **Comunità Energetiche Rinnovabili** (CER) permettono a imprese, enti e "
            "cittadini di produrre energia da fonti rinnovabili e di condividerla, ricevendo un "
            "incentivo sull'energia condivisa.\n\n"
            "In questo incontro spieghiamo:\n\n"
            "- che cos'è una comunità energetica e quali benefici porta;\n"
            "- chi può farne parte: chi consuma, chi produce e chi fa entrambe le cose;\n"
            "- come si avvia la comunità in [area] e quali sono i prossimi passi.\n\n"
            "Nel modulo di iscrizione è possibile manifestare interesse ad aderire, in modo "
            "non vincolante, anche senza partecipare all'incontro.\n"
        ),
    },
    questionnaire=ENERGY_COMMUNITY,
)

WEBINAR = EventType(
    key="webinar",
    name=_l("Webinar"),
    description=_l(
        "Solo online: nessuna sala né posti limitati, il collegamento arriva a chi si iscrive. "
        "Si iscrivono persone di aziende, enti o privati, senza partita IVA."
    ),
    form_data={
        **_profile(
            Registrants.both,
            FieldUse.optional,
            FieldUse.hidden,
            FieldUse.hidden,
            party_size=False,
            in_person=False,
            online=True,
            interest_only=False,
        ),
        "summary": "Webinar su [argomento]: si segue online, da qualsiasi dispositivo.",
        "description": (
            "Un webinar di [durata] su [argomento].\n\n"
            "Il collegamento arriva via email a chi si iscrive, ed è anche nella pagina "
            "personale dell'iscrizione.\n"
        ),
    },
)

#: The types offered, in the order the new-event page lists them.
EVENT_TYPES = {
    event_type.key: event_type
    for event_type in (COMPANY_MEETING, RESIDENTS_MEETING, ENERGY_COMMUNITY_MEMBERS, WEBINAR)
}
