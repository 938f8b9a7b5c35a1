"""Demo data: the consortium's energy-community meeting and its earlier meetings."""

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from stdnum import luhn

from .dbtypes import utcnow
from .events.models import Event, EventStatus, Question, QuestionKind
from .extensions import db
from .questions.models import Answer
from .registrations import seats
from .registrations.models import AttendanceMode, Registration, RegistrationStatus

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

**Destinatari**: gli organizzatori dell'incontro (Consorzio.IT e REI – Reindustria
Innovazione). I dati non sono diffusi né trasferiti fuori dall'Unione europea.

**Contatti**: per ogni domanda sul trattamento dei dati scrivi a
eventi@consorzio.example.org.

Per quanto tempo sono conservati i dati e come esercitare i tuoi diritti (accesso,
copia, cancellazione, reclamo al Garante) è spiegato qui sotto.
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
    if event.privacy_notice != PRIVACY_NOTICE:
        if event.privacy_notice:
            # A new text is a new version: consents keep the version they were given to.
            event.privacy_notice_version += 1
        event.privacy_notice = PRIVACY_NOTICE
    if not event.questions:
        add_questions(event, CER_QUESTIONS)
    for meeting in PAST_MEETINGS:
        _seed_past_meeting(meeting)
    db.session.commit()
    return event


def add_questions(event: Event, rows) -> None:
    """Add *rows* to *event* as its questions, in order: (code, kind, label, help, required,
    choices, settings, condition), the condition as (earlier question's code, values)."""
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
NOTES = (
    "Vorremmo capire come si ripartisce l'incentivo tra i membri.",
    "Abbiamo un capannone con copertura in amianto da bonificare.",
    "Interessati soprattutto se il tetto può essere dato in uso alla comunità.",
    "Parteciperà anche il nostro responsabile tecnico.",
    "",
)
#: Registrations written per INSERT statement (and answers for them).
SEED_BATCH = 2_000


def _vat_number(rng: random.Random) -> str:
    # Seven digits of the company, the office code of Cremona (019), the Luhn check digit.
    base = f"{rng.randrange(1, 10_000_000):07d}019"
    return base + luhn.calc_check_digit(base)


def _ascii(name: str) -> str:
    return name.lower().replace(" ", "")


def _choice_values(question: Question) -> list[str]:
    return [c["value"] for c in question.choices]


def fake_answer(question: Question, rng: random.Random):
    """A plausible stored answer (the parsed form, as the form would store it) to *question*."""
    kind = question.kind
    settings = question.settings or {}
    if kind is QuestionKind.choice:
        return rng.choice(_choice_values(question))
    if kind is QuestionKind.multichoice:
        values = _choice_values(question)
        picked = set(rng.sample(values, rng.randint(1, len(values))))
        return [v for v in values if v in picked]
    if kind is QuestionKind.yesno:
        return rng.random() < 0.5
    if kind is QuestionKind.checkbox:
        return True
    if kind is QuestionKind.number:
        low = settings.get("min", 0)
        high = min(settings.get("max", 10_000), max(low, 0) + 500_000)
        if settings.get("integer"):
            return rng.randint(int(low), int(high))
        return round(rng.uniform(low, high), 1)
    if kind is QuestionKind.date:
        return (date(2024, 1, 1) + timedelta(days=rng.randrange(1000))).isoformat()
    if kind is QuestionKind.email:
        return f"amministrazione{rng.randrange(10_000)}@pec.example.it"
    if kind is QuestionKind.phone:
        return f"+39 0373 {rng.randrange(100_000, 999_999)}"
    if kind is QuestionKind.url:
        return f"https://www.azienda{rng.randrange(10_000)}.example.it"
    if kind is QuestionKind.vat:
        return _vat_number(rng)
    if kind is QuestionKind.ateco:
        return rng.choice(("25.62.00", "22.29.09", "10.51.20", "49.41.00", "28.99.99"))
    if kind is QuestionKind.pod:
        return [f"IT001E{rng.randrange(10**8):08d}" for _ in range(rng.randint(1, 3))]
    if kind is QuestionKind.substation:
        return f"AC001E{rng.randrange(10**5):05d}"
    if kind is QuestionKind.textarea:
        return rng.choice(NOTES)
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(PLACES)}"


def _fake_answers(questions: list[Question], rng: random.Random) -> dict[int, object]:
    """Answers to *questions* (in order), skipping those whose condition is not met."""
    given: dict[int, object] = {}
    for question in questions:
        cond = question.condition_question_id
        if cond is not None:
            answer = given.get(cond)
            values = answer if isinstance(answer, list) else [answer]
            if answer is None or not any(
                _condition_value(v) in question.condition_values for v in values
            ):
                continue
        if not question.is_required and rng.random() < 0.2:
            continue
        value = fake_answer(question, rng)
        if value not in ("", [], None):
            given[question.id] = value
    return given


def _condition_value(value) -> str:
    # Conditions compare with the form's raw values: yes/no for booleans.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


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
            vat = _vat_number(rng)
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
