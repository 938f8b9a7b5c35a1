"""The question builder's rules: adding, changing, ordering and removing an event's questions.

Stored answers are never corrupted: a question with answers cannot change kind or lose the
choices people picked, and removing it archives it instead of deleting it.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..events.models import Event, Meaning, Question, QuestionKind
from ..extensions import db
from .kinds import KINDS, kind_of
from .models import Answer

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CODE_MAX = 64
MAX_LENGTH_LIMIT = 5000
#: The attributes add_question and update_question set.
FIELDS = (
    "label", "code", "kind", "help_text", "is_required", "choices", "settings",
    "condition_question_id", "condition_values", "meaning", "translations",
)  # fmt: skip


class QuestionError(ValueError):
    """Changes the rules refuse; ``errors`` maps a field name to an Italian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.field, self.message = next(iter(errors.items()))


@dataclass
class Removal:
    """What remove_question did: archived (answers kept) or deleted, and who lost a condition."""

    archived: bool
    answers: int
    unlinked: list[Question] = field(default_factory=list)


def derive_code(text: str) -> str:
    """A lower-case ASCII identifier from *text*: "Consumo annuo (kWh)" → "consumo_annuo_kwh"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40].rstrip("_")
    return f"q_{code}" if code[:1].isdigit() else code


def ordered(event: Event) -> list[Question]:
    """The event's active questions in the order the form asks them."""
    return sorted(event.active_questions, key=lambda q: (q.position, q.id))


def possible_values(question: Question) -> list[tuple[str, str]]:
    """(value, label) of the answers a condition on *question* may name."""
    return kind_of(question).condition_options(question)


def eligible_parents(event: Event, question: Question | None = None) -> list[Question]:
    """Questions *question* may depend on: earlier active ones with a few known answers."""
    before = ordered(event)
    if question is not None and question in before:
        before = before[: before.index(question)]
    return [q for q in before if kind_of(q).can_be_condition]


def answers_of(event_id: int, *columns) -> sa.Select:
    """A SELECT of *columns* over the stored answers of event *event_id*, reached through its
    registrations (by the registrations' event index, then the answers' index led by the
    registration: answers have no index led by the question, see ``Answer.question_id``)."""
    # The registrations' table through the relationship: that layer is above this one.
    registrations = Answer.registration.property.mapper.local_table
    return (
        sa.select(*columns)
        .select_from(Answer)
        .join(registrations, registrations.c.id == Answer.registration_id)
        .where(registrations.c.event_id == event_id)
    )


def answer_count(question: Question) -> int:
    return db.session.scalar(
        answers_of(question.event_id, sa.func.count(Answer.id)).where(
            Answer.question_id == question.id
        )
    )


def answer_counts(event: Event) -> dict[int, int]:
    """Number of stored answers per question id of *event*."""
    rows = db.session.execute(
        answers_of(event.id, Answer.question_id, sa.func.count(Answer.id)).group_by(
            Answer.question_id
        )
    )
    return dict(rows.all())


def dependents(question: Question) -> list[Question]:
    """Questions shown only depending on *question*'s answer."""
    return [q for q in ordered(question.event) if q.condition_question_id == question.id]


def quoted(questions: list[Question]) -> str:
    """Question labels in Italian quotes: «Ruolo», «Area»."""
    return ", ".join(f"«{q.label}»" for q in questions)


def _used_values(question: Question) -> set[str]:
    used = set()
    for value in db.session.scalars(
        answers_of(question.event_id, Answer.value).where(Answer.question_id == question.id)
    ):
        used.update(value if isinstance(value, list) else [value])
    return {str(v) for v in used}


def _free_code(event: Event, base: str, question: Question | None) -> str:
    taken = {q.code for q in event.questions if q is not question}
    base = base or "domanda"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def _match_values(parent: Question, given: list[str]) -> tuple[list[str], list[str]]:
    """Condition values as the parent stores them (typed as value or label), and unknown ones."""
    lookup = {}
    for value, label in possible_values(parent):
        lookup[_key(value)] = value
        lookup[_key(str(label))] = value
        for text in _labels_in_every_language(parent, value):
            lookup[_key(text)] = value
    values, unknown = [], []
    for item in given:
        match = lookup.get(_key(item))
        if match is None:
            unknown.append(item)
        elif match not in values:
            values.append(match)
    return values, unknown


def _key(text: str) -> str:
    """*text* as compared when matching typed answers: "Sì" and "si" are one."""
    ascii_text = unicodedata.normalize("NFKD", text.strip()).encode("ascii", "ignore").decode()
    return ascii_text.casefold()


def _labels_in_every_language(parent: Question, value: str) -> list[str]:
    return [
        label
        for choice in parent.choices
        if choice["value"] == value
        for key, label in choice.items()
        if key.startswith("label_")
    ]


def _check(event: Event, question: Question | None, v: dict) -> dict[str, str]:
    """Every rule broken by values *v* for *question* (None: a new one), as field → message."""
    errors: dict[str, str] = {}
    if not v["label"]:
        errors["label"] = _("Scrivi il testo della domanda.")
    code = v["code"]
    if code and (len(code) > CODE_MAX or not CODE_RE.match(code)):
        errors["code"] = _(
            "Usa lettere minuscole senza accenti, cifre e «_», iniziando con una lettera, "
            "ad esempio consumo_annuo."
        )
    elif code and code != _free_code(event, code, question):
        errors["code"] = _("Questo codice è già usato da un'altra domanda dell'evento.")
    has_answers = question is not None and answer_count(question) > 0
    if has_answers and v["kind"] is not question.kind:
        errors["kind"] = _(
            "La domanda ha già delle risposte: il tipo non si può cambiare. Se serve, togli "
            "questa domanda e creane una nuova."
        )
    kind = KINDS[v["kind"]]
    errors |= kind.check_settings(v["choices"], v["settings"])
    if "choices" in kind.settings and "choices" not in errors:
        values = {c["value"] for c in v["choices"]}
        if has_answers and question.kind is v["kind"]:
            lost = _used_values(question) - values
            if lost:
                labels = ", ".join(f"«{question.choice_label(x)}»" for x in sorted(lost))
                errors["choices"] = _(
                    "Qualcuno ha già scelto %(labels)s: queste opzioni non si possono togliere "
                    "né cambiare di valore.",
                    labels=labels,
                )
    more = _check_condition(event, question, v)
    if question is not None:
        more |= _check_dependents(question, v)
    # One message per field: the first rule broken is the one to fix first.
    return more | errors


def _check_condition(event: Event, question: Question | None, v: dict) -> dict[str, str]:
    parent_id = v["condition_question_id"]
    if parent_id is None:
        return {}
    parent = next((q for q in event.active_questions if q.id == parent_id), None)
    if parent is None or parent is question:
        return {"condition_question_id": _("Scegli una domanda dall'elenco.")}
    if parent not in eligible_parents(event, question):
        return {
            "condition_question_id": _(
                "La domanda da cui dipende deve venire prima di questa ed essere a scelta "
                "singola, multipla o Sì/No."
            )
        }
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.id not in seen:  # parents come earlier: bad data
        if question is not None and ancestor.id == question.id:
            return {"condition_question_id": _("Una domanda non può dipendere da se stessa.")}
        seen.add(ancestor.id)
        ancestor = ancestor.condition_question
    values, unknown = _match_values(parent, v["condition_values"])
    if unknown:
        allowed = ", ".join(f"{value} ({label})" for value, label in possible_values(parent))
        return {
            "condition_values": _(
                "%(unknown)s non è tra le risposte di «%(label)s». Scegliere tra: %(allowed)s.",
                unknown=", ".join(f"«{x}»" for x in unknown),
                label=parent.label,
                allowed=allowed,
            )
        }
    if not values:
        return {"condition_values": _("Indica almeno una risposta, una per riga.")}
    v["condition_values"] = values
    return {}


def _check_dependents(question: Question, v: dict) -> dict[str, str]:
    """A question others depend on must keep the answers their conditions name."""
    children = dependents(question)
    if not children:
        return {}
    if not KINDS[v["kind"]].can_be_condition:
        message = ngettext(
            "La domanda %(names)s dipende dalle risposte a questa: il tipo deve restare a "
            "scelta singola, multipla o Sì/No.",
            "Le domande %(names)s dipendono dalle risposte a questa: il tipo deve restare a "
            "scelta singola, multipla o Sì/No.",
            len(children),
            names=quoted(children),
        )
        return {"kind": message}
    if "choices" in KINDS[v["kind"]].settings:
        allowed = {c["value"] for c in v["choices"]}
    else:
        allowed = {value for value, _label in KINDS[v["kind"]].condition_options(question)}
    broken = [q for q in children if not set(q.condition_values) <= allowed]
    if broken:
        message = ngettext(
            "La domanda %(names)s dipende da opzioni che togli o cambi: cambia prima la sua "
            "condizione.",
            "Le domande %(names)s dipendono da opzioni che togli o cambi: cambia prima la loro "
            "condizione.",
            len(broken),
            names=quoted(broken),
        )
        return {"kind" if v["kind"] is not question.kind else "choices": message}
    return {}


def _normalised(fields: dict) -> dict:
    v = dict(fields)
    v["label"] = (v.get("label") or "").strip()
    v["code"] = (v.get("code") or "").strip()
    v["kind"] = QuestionKind(v["kind"])
    v["help_text"] = (v.get("help_text") or "").strip()
    v["is_required"] = bool(v.get("is_required"))
    keep = KINDS[v["kind"]].settings
    v["choices"] = list(v.get("choices") or []) if "choices" in keep else []
    settings = dict(v.get("settings") or {})
    # Identity tests: a minimum of 0 is a setting, an unticked "integer" (False) is not.
    v["settings"] = {
        k: settings[k]
        for k in keep
        if settings.get(k) is not None and settings[k] is not False and settings[k] != ""
    }
    v["meaning"] = Meaning(v["meaning"]) if v.get("meaning") else None
    v["translations"] = dict(v.get("translations") or {})
    v["condition_question_id"] = v.get("condition_question_id") or None
    v["condition_values"] = [str(x) for x in v.get("condition_values") or []]
    if v["condition_question_id"] is None:
        v["condition_values"] = []
    return v


def _apply(question: Question, event: Event, v: dict) -> None:
    for name in FIELDS:
        setattr(question, name, v[name])
    question.code = v["code"] or _free_code(event, derive_code(v["label"]), question)


def add_question(event: Event, **fields) -> Question:
    """A new question at the end of *event*'s form; raises QuestionError when a rule is broken."""
    v = _normalised(fields)
    errors = _check(event, None, v)
    if errors:
        raise QuestionError(errors)
    position = max((q.position for q in event.questions), default=-1) + 1
    question = Question(position=position)
    _apply(question, event, v)
    event.questions.append(question)
    db.session.commit()
    return question


def update_question(question: Question, **fields) -> Question:
    """Change *question*; fields left out keep their value. Raises QuestionError."""
    current = {name: getattr(question, name) for name in FIELDS}
    v = _normalised({**current, **fields})
    errors = _check(question.event, question, v)
    if errors:
        raise QuestionError(errors)
    _apply(question, question.event, v)
    db.session.commit()
    return question


def move_question(question: Question, direction: str) -> bool:
    """Swap *question* with its active neighbour ("up" or "down"); False at either end.

    Raises QuestionError when the move would put a question before the one it depends on.
    """
    active = ordered(question.event)
    if direction not in ("up", "down") or question not in active:
        return False
    index = active.index(question)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(active):
        return False
    first, second = sorted((active[index], active[other]), key=active.index)
    if second.condition_question_id == first.id:
        message = _(
            "«%(child)s» dipende da «%(parent)s» e deve restare dopo di essa.",
            child=second.label,
            parent=first.label,
        )
        raise QuestionError({"move": message})
    active[index], active[other] = active[other], active[index]
    # Renumbering keeps positions unique, so the order never depends on ties.
    for position, item in enumerate(active):
        item.position = position
    db.session.commit()
    return True


def remove_question(question: Question) -> Removal:
    """Archive *question* if it has answers (kept for the exports), else delete it.

    Questions that depended on it lose their condition and are asked to everyone.
    """
    unlinked = [q for q in question.event.questions if q.condition_question_id == question.id]
    for child in unlinked:
        child.condition_question_id = None
        child.condition_values = []
    count = answer_count(question)
    if count:
        question.is_archived = True
    else:
        question.event.questions.remove(question)
        db.session.delete(question)
    db.session.commit()
    active = [q for q in unlinked if not q.is_archived]
    return Removal(archived=bool(count), answers=count, unlinked=active)


def restore_question(question: Question) -> Question:
    """Ask an archived question again, at the end of the form."""
    event = question.event
    parent = question.condition_question
    if parent is None or parent.is_archived:
        # Its condition only holds if the question it names is still asked (and earlier).
        question.condition_question_id = None
        question.condition_values = []
    question.position = max((q.position for q in event.questions), default=-1) + 1
    question.is_archived = False
    db.session.commit()
    return question
