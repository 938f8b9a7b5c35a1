"""Demo data: the consortium's energy-community meeting and its earlier meetings."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from .dbtypes import utcnow
from .events.models import Event, EventStatus, Question, QuestionKind
from .extensions import db

ROME = ZoneInfo("Europe/Rome")
DEMO_SLUG = "comunita-energetica-ex-olivetti-pierina"
CONSORTIUM_VENUE = "Sala conferenze di Consorzio.IT"
CONSORTIUM_ADDRESS = "Via del Commercio 29, 26013 Crema (CR)"

CER_DESCRIPTION = """\
Le **Comunità Energetiche Rinnovabili** (CER) permettono a imprese, enti e cittadini di
produrre energia da fonti rinnovabili e di condividerla tra loro, ricevendo un incentivo
sull'energia condivisa.

Consorzio.IT e REI – Reindustria Innovazione, con il supporto delle Associazioni di
categoria, propongono di costituirne una nelle aree produttive **Ex Olivetti** e
**PIP Pierina** di Crema. In questo incontro spieghiamo:

- che cos'è una comunità energetica e quali benefici porta alle imprese;
- chi può farne parte: chi consuma, chi produce e chi fa entrambe le cose;
- come si avvia la comunità e quali sono i prossimi passi.

Durante l'incontro raccogliamo le **manifestazioni di interesse non vincolanti** delle
aziende che vogliono approfondire l'adesione. Puoi esprimerla già nel modulo di
iscrizione, anche se non potrai essere presente.

L'incontro è aperto a tutte le persone interessate al tema, in particolare alle aziende
insediate nelle aree Ex Olivetti e Pierina.
"""

CER_ORGANIZERS = """\
Consorzio.IT – la società dei 52 Comuni cremaschi
REI – Reindustria Innovazione
Con la collaborazione delle Associazioni di categoria imprenditoriali"""

PRIVACY_NOTICE = """\
**Titolare del trattamento**: Consorzio.IT, Via del Commercio 29, 26013 Crema (CR).

**Finalità**: gestire l'iscrizione all'incontro, inviarti le comunicazioni che lo
riguardano e raccogliere la manifestazione di interesse non vincolante alla comunità
energetica. Con il tuo consenso facoltativo, informarti sulle prossime iniziative.

**Base giuridica**: il tuo consenso e l'esecuzione di misure richieste dall'interessato.

**Conservazione**: i dati sono conservati per 24 mesi dopo l'incontro, poi resi anonimi;
restano solo i totali aggregati.

**Destinatari**: gli organizzatori dell'incontro (Consorzio.IT e REI – Reindustria
Innovazione). I dati non sono diffusi né trasferiti fuori dall'Unione europea.

**Diritti**: puoi vedere, correggere o cancellare i tuoi dati dal link personale che
ricevi dopo l'iscrizione, e scrivere agli organizzatori per esercitare gli altri diritti
previsti dagli articoli 15–22 del Regolamento (UE) 2016/679.
"""

INTERESTED = ["yes", "more_info"]


def _choices(*pairs: tuple[str, str]) -> list[dict]:
    return [{"value": value, "label": label} for value, label in pairs]


# (code, kind, label, help, required, choices, settings, (condition code, values))
CER_QUESTIONS = [
    ("interest", QuestionKind.choice,
     "Vuoi manifestare interesse ad aderire alla Comunità Energetica?",
     "La manifestazione di interesse non è vincolante.", True,
     _choices(("yes", "Sì, sono interessato ad aderire"),
              ("more_info", "Vorrei saperne di più prima di decidere"),
              ("no", "No, per ora partecipo solo all'incontro")), {}, None),
    ("member_kind", QuestionKind.choice, "Parteciperesti come", "", True,
     _choices(("company", "Impresa"), ("public_body", "Ente pubblico"),
              ("association", "Associazione"), ("person", "Persona fisica")),
     {}, ("interest", INTERESTED)),
    ("company_size", QuestionKind.choice, "Dimensione dell'impresa", "", True,
     _choices(("micro", "Micro (meno di 10 addetti)"), ("small", "Piccola (da 10 a 49 addetti)"),
              ("medium", "Media (da 50 a 249 addetti)"), ("large", "Grande (250 addetti o più)")),
     {}, ("member_kind", ["company"])),
    ("ateco", QuestionKind.ateco, "Codice ATECO dell'attività principale",
     "Nel formato NN.NN.NN, ad esempio 25.62.00. Lo trovi nella visura camerale.", False,
     [], {}, ("member_kind", ["company"])),
    ("area", QuestionKind.choice, "In quale area si trova la tua sede?", "", True,
     _choices(("ex_olivetti", "Area Ex Olivetti"), ("pip_pierina", "PIP Pierina"),
              ("other", "Altra zona")), {}, ("interest", INTERESTED)),
    ("role", QuestionKind.choice, "Che ruolo avresti nella comunità?", "", True,
     _choices(("consumer", "Consumatore: uso l'energia condivisa"),
              ("producer", "Produttore: metto a disposizione l'energia del mio impianto"),
              ("prosumer", "Entrambi: produco e consumo")), {}, ("interest", INTERESTED)),
    ("annual_kwh", QuestionKind.number, "Consumo annuo di energia elettrica",
     "In kWh all'anno, come nelle bollette degli ultimi 12 mesi. Ad esempio 120.000.", False,
     [], {"unit": "kWh", "min": 0, "max": 1_000_000_000, "integer": True},
     ("role", ["consumer", "prosumer"])),
    ("has_pv", QuestionKind.yesno, "Hai già un impianto fotovoltaico?", "", False,
     [], {}, ("interest", INTERESTED)),
    ("pv_existing_kwp", QuestionKind.number, "Potenza dell'impianto fotovoltaico esistente",
     "In kWp, ad esempio 49,5.", False, [], {"unit": "kWp", "min": 0, "max": 100_000},
     ("has_pv", ["yes"])),
    ("pv_existing_year", QuestionKind.number, "Anno di entrata in esercizio dell'impianto",
     "Ad esempio 2019.", False, [], {"min": 1990, "max": 2100, "integer": True},
     ("has_pv", ["yes"])),
    ("net_metering", QuestionKind.yesno, "È attivo lo scambio sul posto?", "", False,
     [], {}, ("has_pv", ["yes"])),
    ("pv_planned_kwp", QuestionKind.number, "Potenza del nuovo impianto che potresti realizzare",
     "In kWp. Al massimo 1.000 kWp per impianto.", False, [],
     {"unit": "kWp", "min": 0, "max": 1000}, ("role", ["producer", "prosumer"])),
    ("roof_area_m2", QuestionKind.number, "Superficie di tetto disponibile per il fotovoltaico",
     "In metri quadrati, ad esempio 800.", False, [], {"unit": "m²", "min": 0, "max": 1_000_000},
     ("interest", INTERESTED)),
    ("invest", QuestionKind.choice, "Saresti disposto a investire in un impianto?", "", False,
     _choices(("yes", "Sì"), ("no", "No"), ("evaluate", "Da valutare")), {},
     ("interest", INTERESTED)),
    ("pods", QuestionKind.pod, "Codici POD dei punti di prelievo",
     "Li trovi in bolletta: IT, 3 cifre, E e 8 cifre, ad esempio IT001E12345678. "
     "Se ne hai più di uno scrivine uno per riga.", False, [], {}, ("interest", INTERESTED)),
    ("substation", QuestionKind.substation, "Codice della cabina primaria, se lo conosci",
     "È indicato sulla mappa delle cabine primarie del GSE, ad esempio AC001E00045.", False,
     [], {}, ("interest", INTERESTED)),
    ("notes", QuestionKind.textarea, "Note", "Domande o informazioni per gli organizzatori.",
     False, [], {"max_length": 2000}, None),
    ("non_binding", QuestionKind.checkbox,
     "Sono consapevole che questa manifestazione di interesse non è vincolante e non comporta "
     "alcun impegno.", "", True, [], {}, ("interest", INTERESTED)),
]  # fmt: skip

PAST_MEETINGS = [
    {
        "slug": "aree-grigie-open-fiber-2022",
        "title": "Aree Grigie: incontro con Open Fiber",
        "summary": "La banda ultra larga nel Cremasco: dalla chiusura delle Aree Bianche "
        "al progetto PNRR per le Aree Grigie.",
        "description": "Incontro con Open Fiber nella sede di Consorzio.IT.\n\n"
        "- **Aree Bianche**: la rete pubblica in fibra ottica FTTH realizzata da Open Fiber "
        "ha raggiunto 40 dei 52 Comuni del Consorzio, con circa 34.000 unità immobiliari "
        "connesse e 360 km di infrastruttura.\n"
        "- **Aree Grigie**: il progetto finanziato dal PNRR riguarda 20 Comuni del "
        "Consorzio, con circa 7.500 numeri civici, nelle zone senza una rete da almeno "
        "200 Mbit/s.\n",
        "organizers": "Consorzio.IT\nOpen Fiber",
        "day": (2022, 11, 29),
        "times": (time(15, 0), time(17, 0)),
    },
    {
        "slug": "pnrr-comuni-cremaschi-2022",
        "title": "Dal PNRR oltre 10 milioni di euro per i Comuni cremaschi",
        "summary": "Conferenza stampa sugli avvisi PNRR per la digitalizzazione "
        "e l'innovazione dei Comuni.",
        "description": "Conferenza stampa nella sala conferenze di Consorzio.IT sulla "
        "situazione del territorio cremasco rispetto agli avvisi del PNRR: cloud per gli "
        "enti locali, servizi pubblici online, identità digitale, PagoPA e app IO, "
        "notifiche digitali e piattaforma nazionale dati.\n\n"
        "Consorzio.IT affianca i Comuni dalla candidatura agli avvisi fino al "
        "raggiungimento degli obiettivi.\n",
        "organizers": "Consorzio.IT",
        "day": (2022, 11, 22),
        "times": (time(10, 30), time(12, 0)),
    },
    {
        "slug": "sinergia-area-omogenea-cremasca-rei-2022",
        "title": "Sinergia tra Area Omogenea Cremasca e REI: l'incontro con i Sindaci",
        "summary": "Il comitato ristretto dei Sindaci incontra i vertici di "
        "REI – Reindustria Innovazione.",
        "description": "Il comitato ristretto dei Sindaci di Consorzio.IT e il Consiglio "
        "di amministrazione incontrano i vertici di REI – Reindustria Innovazione, che si "
        "trasforma in società in-house con soli soci pubblici.\n\n"
        "Sono presentati i progetti in corso e gli scenari futuri, per valutare un maggiore "
        "coinvolgimento dell'Area Omogenea cremasca in REI attraverso Consorzio.IT.\n",
        "organizers": "Consorzio.IT\nREI – Reindustria Innovazione",
        "day": (2022, 11, 21),
        "times": (time(17, 30), time(19, 0)),
    },
]


def next_tuesday(now: datetime) -> datetime:
    """The first Tuesday after *now*'s day in Rome, at midnight Rome time."""
    today = now.astimezone(ROME).date()
    days = (1 - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime.combine(day, time(0), tzinfo=ROME)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    local = datetime.combine(day.date(), time(hour, minute), tzinfo=ROME)
    return local.astimezone(UTC)


def seed_demo(now: datetime | None = None) -> Event:
    """Create or refresh the demo events; running it again changes nothing but stale dates."""
    now = now or utcnow()
    event = db.session.scalar(sa.select(Event).where(Event.slug == DEMO_SLUG))
    if event is None:
        event = Event(slug=DEMO_SLUG)
        db.session.add(event)
    if event.starts_at is None or event.closes_at <= now:
        # Keep the meeting ahead of us so that its registration is open.
        tuesday = next_tuesday(now)
        event.starts_at = _at(tuesday, 17)
        event.ends_at = _at(tuesday, 18, 30)
        event.registration_opens_at = None
        event.registration_closes_at = _at(tuesday, 12)
    event.title = "Fondare una Comunità Energetica nell'Area Ex Olivetti e Pierina"
    event.summary = (
        "Incontro per le aziende delle aree Ex Olivetti e PIP Pierina di Crema: che cos'è una "
        "comunità energetica rinnovabile, come avviarla e come manifestare interesse."
    )
    event.description = CER_DESCRIPTION
    event.organizers = CER_ORGANIZERS
    event.status = EventStatus.published
    event.timezone = "Europe/Rome"
    event.venue_name = CONSORTIUM_VENUE
    event.venue_address = CONSORTIUM_ADDRESS
    event.online_url = "https://meet.example.org/comunita-energetica-crema"
    event.capacity = 80
    event.max_party_size = 5
    event.contact_email = "eventi@consorzio.example.org"
    event.privacy_notice = PRIVACY_NOTICE
    if not event.questions:
        _add_questions(event, CER_QUESTIONS)
    for meeting in PAST_MEETINGS:
        _seed_past_meeting(meeting)
    db.session.commit()
    return event


def _add_questions(event: Event, rows) -> None:
    by_code: dict[str, Question] = {}
    for position, (code, kind, label, help_text, required, choices, settings, cond) in enumerate(
        rows
    ):
        question = Question(
            code=code,
            kind=kind,
            label=label,
            help_text=help_text,
            is_required=required,
            choices=choices,
            settings=settings,
            position=position,
        )
        if cond:
            question.condition_question = by_code[cond[0]]
            question.condition_values = cond[1]
        event.questions.append(question)
        by_code[code] = question


def _seed_past_meeting(meeting: dict) -> None:
    event = db.session.scalar(sa.select(Event).where(Event.slug == meeting["slug"]))
    if event is None:
        event = Event(slug=meeting["slug"])
        db.session.add(event)
    day = datetime(*meeting["day"], tzinfo=ROME)
    start, end = meeting["times"]
    event.title = meeting["title"]
    event.summary = meeting["summary"]
    event.description = meeting["description"]
    event.organizers = meeting["organizers"]
    event.starts_at = _at(day, start.hour, start.minute)
    event.ends_at = _at(day, end.hour, end.minute)
    event.status = EventStatus.published
    event.venue_name = CONSORTIUM_VENUE
    event.venue_address = CONSORTIUM_ADDRESS
    event.is_registration_closed = True


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed_command():
    """Create the demo events (idempotent: running it again keeps what is there)."""
    event = seed_demo()
    click.echo(
        f"Demo event ready: /events/{event.slug}/ ({event.local_start:%Y-%m-%d %H:%M} Europe/Rome)"
    )
