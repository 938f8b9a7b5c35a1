"""The privacy notice a new event starts with, written from the data controller's settings.

The organiser reviews it in the editor: it is event content, in Italian (and English),
stored like any notice the organiser writes. A setting not given leaves a marked gap
(:data:`MISSING`) that the editor refuses to save until it is filled in.
"""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

#: The settings a notice is written from, each with what it is (shown when missing).
SETTINGS = {
    "DATA_CONTROLLER_NAME": _l("nome del titolare del trattamento"),
    "DATA_CONTROLLER_ADDRESS": _l("indirizzo del titolare"),
    "DATA_CONTROLLER_CONTACT": _l("email o PEC del titolare"),
    "DPO_CONTACT": _l("contatto del responsabile della protezione dei dati (DPO)"),
}

#: What stands in for a setting that is not given, in each language of the notice.
MISSING = {"it": "[da completare]", "en": "[to be completed]"}

ITALIAN = """\
**Titolare del trattamento**: {name}, {address}. Contatto: {contact}.

**Responsabile della protezione dei dati (DPO)**: {dpo}.

**Dati trattati**: i dati inseriti nel modulo di iscrizione (nome, cognome, email e gli \
altri dati richiesti) e le risposte alle domande dell'evento.

**Finalità**: gestire l'iscrizione e la partecipazione all'evento e inviare le \
comunicazioni che lo riguardano (conferma, eventuali cambi di data o luogo, promemoria).\
{interest} Solo con il consenso facoltativo dell'interessato, informare sulle prossime \
iniziative.

**Base giuridica**: la richiesta di iscrizione dell'interessato (art. 6, par. 1, lett. b \
del Regolamento UE 2016/679); per le comunicazioni sulle prossime iniziative, il consenso \
(art. 6, par. 1, lett. a), revocabile in ogni momento.

**Conferimento dei dati**: i dati indicati come obbligatori servono per l'iscrizione; \
senza di essi non è possibile iscriversi.

**Destinatari**: il personale del titolare e degli organizzatori dell'evento autorizzato \
al trattamento e i fornitori che gestiscono il servizio per conto del titolare. I dati \
non sono diffusi.

**Conservazione**: i dati che identificano l'interessato sono conservati fino a \
{retention} dopo la fine dell'evento; poi l'iscrizione è resa anonima e restano soltanto \
conteggi e totali.

**Diritti**: l'interessato può chiedere in ogni momento l'accesso ai propri dati, la \
rettifica, la cancellazione, la limitazione del trattamento e la portabilità, e può \
opporsi al trattamento (articoli 15–22 del Regolamento), scrivendo a {contact} o al DPO. \
Dal link personale ricevuto via email dopo l'iscrizione può inoltre vedere, correggere, \
scaricare e cancellare la propria iscrizione.

**Reclamo**: chi ritiene che i propri dati siano trattati in modo non conforme può \
proporre reclamo al Garante per la protezione dei dati personali \
([www.garanteprivacy.it](https://www.garanteprivacy.it/)).
"""

ITALIAN_INTEREST = (
    " Raccogliere la manifestazione di interesse espressa nel modulo, che non è vincolante."
)

ENGLISH = """\
**Data controller**: {name}, {address}. Contact: {contact}.

**Data protection officer (DPO)**: {dpo}.

**Data processed**: the data entered in the registration form (first name, last name, \
email and the other data asked for) and the answers to the event's questions.

**Purposes**: managing the registration for the event and attendance, and sending the \
messages about it (confirmation, any change of date or place, reminders).{interest} With \
the data subject's optional consent only, telling them about future initiatives.

**Legal basis**: the data subject's request to register (Art. 6(1)(b) of Regulation (EU) \
2016/679); for messages about future initiatives, consent (Art. 6(1)(a)), which may be \
withdrawn at any time.

**Providing the data**: the data marked as required is needed to register; without it \
registration is not possible.

**Recipients**: the staff of the controller and of the event's organisers authorised to \
process the data, and the suppliers who run the service on the controller's behalf. The \
data is not published.

**Retention**: the data that identifies the data subject is kept until {retention} after \
the end of the event; then the registration is made anonymous and only counts and totals \
remain.

**Rights**: the data subject may at any time ask for access to their data, its \
rectification, erasure, restriction of processing and portability, and may object to the \
processing (Articles 15–22 of the Regulation), by writing to {contact} or to the DPO. \
With the personal link received by email after registering, they can also see, correct, \
download and erase their registration.

**Complaint**: anyone who believes that their data is processed unlawfully may lodge a \
complaint with the Italian data protection authority, the Garante per la protezione dei \
dati personali ([www.garanteprivacy.it](https://www.garanteprivacy.it/)).
"""

ENGLISH_INTEREST = " Collecting the expression of interest given in the form, which is not binding."


def _setting(config: Mapping, key: str) -> str:
    # EVENTSREG_* values are parsed as JSON when they can be: a number comes back an int.
    value = config.get(key)
    return "" if value is None else str(value).strip()


def missing_settings(config: Mapping) -> list[tuple[str, str]]:
    """The data controller's settings not given: (environment variable, what it is)."""
    return [
        (f"EVENTSREG_{key}", what) for key, what in SETTINGS.items() if not _setting(config, key)
    ]


def _months(months: int, locale: str) -> str:
    if locale == "it":
        return f"{months} mese" if months == 1 else f"{months} mesi"
    return f"{months} month" if months == 1 else f"{months} months"


def suggested_notice(config: Mapping, locale: str = "it", *, interest: bool = True) -> str:
    """A complete privacy notice in *locale* ("it" or "en") naming the configured data
    controller and DPO, with the retention the service applies
    (``PRIVACY_RETENTION_MONTHS``); *interest*: the form collects non-binding interest."""
    gap = MISSING[locale]
    values = {
        name: _setting(config, key) or gap
        for name, key in (
            ("name", "DATA_CONTROLLER_NAME"),
            ("address", "DATA_CONTROLLER_ADDRESS"),
            ("contact", "DATA_CONTROLLER_CONTACT"),
            ("dpo", "DPO_CONTACT"),
        )
    }
    retention = _months(int(config.get("PRIVACY_RETENTION_MONTHS") or 12), locale)
    if locale == "it":
        return ITALIAN.format(
            **values, retention=retention, interest=ITALIAN_INTEREST if interest else ""
        )
    return ENGLISH.format(
        **values, retention=retention, interest=ENGLISH_INTEREST if interest else ""
    )


def has_gaps(text: str) -> bool:
    """Whether *text* still holds a gap of a suggested notice, in either language."""
    return any(marker in (text or "") for marker in MISSING.values())
