"""Demo data: the consortium's energy-community meeting and its earlier meetings."""

import random
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from . import database
from .dbtypes import utcnow
from .events.models import Event, EventStatus, Question
from .extensions import db
from .questions.kinds import kind_of
from .questions.library import ENERGY_COMMUNITY, sync_questionnaire
from .questions.models import Answer
from .registrations import seats
from .registrations.models import AttendanceMode, Registration, RegistrationStatus
from .validators import sample_vat_number

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

CER_TITLE_EN = "Founding an Energy Community in the Ex Olivetti and Pierina Areas"
CER_SUMMARY_EN = (
    "A meeting for the companies of the Ex Olivetti and PIP Pierina areas of Crema: what a "
    "renewable energy community is, how to start one and how to express interest."
)
CER_DESCRIPTION_EN = """\
**Renewable Energy Communities** (CER, in Italian) let companies, public bodies and citizens
produce energy from renewable sources and share it among themselves, receiving an incentive
on the energy they share.

Consorzio.IT and REI – Reindustria Innovazione, with the support of the business
associations, propose to found one in the **Ex Olivetti** and **PIP Pierina** industrial
areas of Crema. At this meeting we explain:

- what an energy community is and what it brings to companies;
- who can take part: those who consume, those who produce and those who do both;
- how the community is started and what the next steps are.

During the meeting we collect the **non-binding expressions of interest** of the companies
that want to look further into joining. You can already express it in the registration
form, even if you cannot attend.

The meeting is open to everyone interested in the subject, in particular to the companies
of the Ex Olivetti and Pierina areas. It is held in Italian.
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

**Destinatari**: gli organizzatori dell'incontro (Consorzio.IT e REI – Reindustria
Innovazione). I dati non sono diffusi né trasferiti fuori dall'Unione europea.

**Contatti**: per ogni domanda sul trattamento dei dati scrivi a
eventi@consorzio.example.org.

Per quanto tempo sono conservati i dati e come esercitare i tuoi diritti (accesso,
copia, cancellazione, reclamo al Garante) è spiegato qui sotto.
"""

PRIVACY_NOTICE_EN = """\
**Data controller**: Consorzio.IT, Via del Commercio 29, 26013 Crema (CR), Italy.

**Purposes**: managing your registration for the meeting, sending you the messages about
it and collecting the non-binding expression of interest in the energy community. With
your optional consent, telling you about future initiatives.

**Legal basis**: your consent and steps taken at your request.

**Recipients**: the organisers of the meeting (Consorzio.IT and REI – Reindustria
Innovazione). The data is neither published nor transferred outside the European Union.

**Contact**: for any question about how your data is processed, write to
eventi@consorzio.example.org.

How long the data is kept and how to exercise your rights (access, copy, erasure,
complaint to the Garante) is explained below.
"""

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
    notices = (event.privacy_notice, event.translation("privacy_notice", "en"))
    if notices != (PRIVACY_NOTICE, PRIVACY_NOTICE_EN):
        if event.privacy_notice:
            # A new text is a new version: consents keep the version they were given to.
            event.privacy_notice_version += 1
        event.privacy_notice = PRIVACY_NOTICE
        event.set_translation("privacy_notice", "en", PRIVACY_NOTICE_EN)
    event.set_translation("title", "en", CER_TITLE_EN)
    event.set_translation("summary", "en", CER_SUMMARY_EN)
    event.set_translation("description", "en", CER_DESCRIPTION_EN)
    sync_questionnaire(event, ENERGY_COMMUNITY)
    for meeting in PAST_MEETINGS:
        _seed_past_meeting(meeting)
    db.session.commit()
    return event


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


# -- many registrations at once (load tests, export sizes, dashboards) ------------------------

FIRST_NAMES = (
    "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Andrea", "Sara", "Matteo", "Elena",
    "Alessandro", "Valentina", "Davide", "Martina", "Stefano", "Laura", "Paolo", "Silvia",
    "Giovanni", "Federica", "Roberto", "Anna", "Simone", "Paola", "Fabio", "Roberta",
)  # fmt: skip
LAST_NAMES = (
    "Rossi", "Ferrari", "Bianchi", "Bertolotti", "Russo", "Colombo", "Bonetti", "Galli",
    "Marchesi", "Ogliari", "Fusar Poli", "Cattaneo", "Guerini", "Vailati", "Fontana",
    "Barbieri", "Lodigiani", "Moretti", "Donati", "Cremonesi", "Zaninelli", "Rizzi",
)  # fmt: skip
COMPANY_WORDS = (
    "Officine", "Meccanica", "Plastica", "Logistica", "Tessile", "Elettronica", "Serramenti",
    "Carpenteria", "Alimentari", "Imballaggi", "Stampi", "Trasporti", "Impianti", "Vernici",
)  # fmt: skip
PLACES = (
    "Cremasca", "Olivetti", "Pierina", "del Serio", "Lombarda", "Padana", "Bagnolo", "Offanengo",
    "Ombriano", "Castelleone", "Pandino", "Soncino", "Vaiano", "Madignano",
)  # fmt: skip
COMPANY_FORMS = ("Srl", "S.r.l.", "SpA", "Snc", "Sas", "Srls")
#: Registrations written per INSERT statement (and answers for them).
SEED_BATCH = 2_000


def _ascii(name: str) -> str:
    return name.lower().replace(" ", "")


def _fake_answers(questions: list[Question], rng: random.Random) -> dict[int, object]:
    """Answers to *questions* (in order), skipping those whose condition is not met."""
    given: dict[int, object] = {}
    for question in questions:
        cond = question.condition_question_id
        if cond is not None:
            parent = question.condition_question
            answer = given.get(cond)
            if answer is None:
                continue
            parent_kind = kind_of(parent)
            keys = parent_kind.condition_keys(parent_kind.form_value(parent, answer, "it"))
            if not keys & set(question.condition_values):
                continue
        if not question.is_required and rng.random() < 0.2:
            continue
        value = kind_of(question).example(question, rng)
        if value not in ("", [], None):
            given[question.id] = value
    return given


def seed_registrations(
    event: Event, count: int, *, seed: int = 1, now: datetime | None = None
) -> int:
    """Add *count* plausible registrations with answers to *event*, fast; returns how many.

    Bulk inserts (SQLAlchemy Core, ``SEED_BATCH`` rows a statement): 100,000 take seconds.
    The data is the same for the same *seed*; emails are unique (numbered after the ones
    seeded before). In-person seats are confirmed up to the capacity, later in-person
    registrations are waitlisted; a few are withdrawn. No email is queued.
    """
    rng = random.Random(seed)
    now = now or utcnow()
    questions = [q for q in sorted(event.questions, key=lambda q: (q.position, q.id))]
    modes = [AttendanceMode.in_person, AttendanceMode.online, AttendanceMode.not_attending]
    if not event.offers_online:
        modes.remove(AttendanceMode.online)
    already = db.session.scalar(sa.select(sa.func.count()).where(Registration.event_id == event.id))
    # Seats counted and given by the rules every registration follows.
    left = seats.seats_left(event, seats.seats_taken(event))
    # Spread over the month before now, oldest first.
    start = now - timedelta(days=30)
    step = timedelta(days=30) / max(count, 1)
    registrations_table = Registration.__table__
    answers_table = Answer.__table__
    insert_registrations = sa.insert(registrations_table).returning(
        registrations_table.c.id, sort_by_parameter_order=True
    )
    for batch_start in range(0, count, SEED_BATCH):
        rows, answers = [], []
        for n in range(batch_start, min(batch_start + SEED_BATCH, count)):
            number = already + n + 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            company = (
                f"{rng.choice(COMPANY_WORDS)} {rng.choice(PLACES)} {rng.choice(COMPANY_FORMS)}"
            )
            domain = _ascii(company.rsplit(" ", 1)[0]) + ".example.it"
            mode = rng.choices(modes, weights=[6, 3, 1][: len(modes)])[0]
            party = rng.choice((1, 1, 1, 2, 3)) if mode is AttendanceMode.in_person else 0
            if mode is AttendanceMode.not_attending:
                party = 0
            elif mode is AttendanceMode.online:
                party = 1
            if rng.random() < 0.03:
                status = RegistrationStatus.cancelled
            else:
                needed = seats.seats_needed(mode, party)
                status = seats.status_for(needed, left)
                if status is RegistrationStatus.confirmed and left is not None:
                    left -= needed
            created = start + step * n
            vat = sample_vat_number(rng)
            rows.append(
                {
                    "event_id": event.id,
                    "status": status,
                    "attendance": mode,
                    "party_size": party,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{_ascii(first)}.{_ascii(last)}.{number}@{domain}",
                    "phone": f"+39 0373 {rng.randrange(100_000, 999_999)}",
                    "company_name": company,
                    "vat_number": vat,
                    "tax_code": "",
                    "locale": "en" if rng.random() < 0.1 else "it",
                    # Random: nobody can derive the personal link of a seeded registration.
                    "token_hash": secrets.token_hex(32),
                    "checkin_token_hash": None,
                    "privacy_consent_at": created,
                    "privacy_notice_version": event.privacy_notice_version,
                    "marketing_consent_at": created if rng.random() < 0.4 else None,
                    "ical_sequence": 0,
                    "created_at": created,
                    "updated_at": created,
                    "cancelled_at": created + timedelta(hours=1)
                    if status is RegistrationStatus.cancelled
                    else None,
                }
            )
            answers.append(_fake_answers(questions, rng))
        ids = db.session.execute(insert_registrations, rows).scalars().all()
        answer_rows = [
            {"registration_id": rid, "question_id": qid, "value": value}
            for rid, given in zip(ids, answers, strict=True)
            for qid, value in given.items()
        ]
        if answer_rows:
            db.session.execute(sa.insert(answers_table), answer_rows)
    db.session.commit()
    database.after_bulk_load(Registration, Answer)
    return count


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option(
    "--registrations",
    "registrations",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also add this many registrations, with answers, to the demo event.",
)
@click.option("--seed", "random_seed", type=int, default=1, show_default=True, help="Random seed.")
def seed_command(registrations, random_seed):
    """Create the demo events (idempotent: running it again keeps what is there)."""
    event = seed_demo()
    click.echo(
        f"Demo event ready: /events/{event.slug}/ ({event.local_start:%Y-%m-%d %H:%M} Europe/Rome)"
    )
    if registrations:
        seed_registrations(event, registrations, seed=random_seed)
        click.echo(f"{registrations} registrations added to {event.slug}.")
