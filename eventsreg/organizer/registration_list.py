"""The organisers' registrations list: its columns, its order, one page at a time.

Everything that grows with the registrations happens in SQL: the filters
(:func:`..registrations.admin.filtered`), the count, the order (the id breaks ties, so
pages never overlap or skip a row) and the page. Then only the page's rows are read, and
the answers of the question columns shown, for those rows only, in one query.
Free of request state: the view parses the query string and calls these.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..events.models import Event, Question
from ..extensions import db
from ..questions.models import Answer
from ..registrations.admin import RegistrationFilter, filtered
from ..registrations.models import AttendanceMode, Registration, RegistrationStatus
from .paging import Paged

#: Rows a page may have; the first is used unless another is asked for.
PAGE_SIZES = (50, 25, 100, 200)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]

# -- order ------------------------------------------------------------------------------------


def _in_order(column, values: Iterable) -> sa.ColumnElement:
    """*column*'s position among *values*: statuses and modes in their logical order."""
    return sa.case(*((column == value, n) for n, value in enumerate(values)), else_=len(values))


def _order_expressions() -> dict[str, tuple]:
    checked_in = Registration.checked_in_at
    return {
        "name": (sa.func.lower(Registration.last_name), sa.func.lower(Registration.first_name)),
        "company": (sa.func.lower(Registration.company_name),),
        "email": (Registration.email,),
        "status": (_in_order(Registration.status, list(RegistrationStatus)),),
        "attendance": (_in_order(Registration.attendance, list(AttendanceMode)),),
        "party": (Registration.party_size,),
        "created": (Registration.created_at,),
        "checkin": (checked_in,),
    }


#: The keys a list may be sorted by (``?sort=name``, ``?sort=-name`` for the reverse).
SORT_KEYS = frozenset(_order_expressions())


@dataclass(frozen=True)
class Sort:
    key: str = "created"
    descending: bool = True

    @property
    def param(self) -> str:
        """As written in the query string: "name", "-created"."""
        return ("-" if self.descending else "") + self.key

    def link_for(self, key: str) -> str:
        """The ``sort`` value of a column header's link: this column ascending, or
        descending when it is already sorted ascending."""
        return "-" + key if key == self.key and not self.descending else key

    def order_by(self) -> list:
        """ORDER BY terms; the id last, in the same direction, so the order is total.
        Registrations not checked in come after the others either way."""
        terms = []
        if self.key == "checkin":
            terms.append(sa.case((Registration.checked_in_at.is_(None), 1), else_=0))
        for expression in _order_expressions()[self.key]:
            terms.append(expression.desc() if self.descending else expression.asc())
        terms.append(Registration.id.desc() if self.descending else Registration.id.asc())
        return terms


DEFAULT_SORT = Sort()


def parse_sort(raw: str | None) -> Sort:
    """The order a ``sort`` parameter asks for; anything unknown is the default."""
    raw = raw or ""
    descending = raw.startswith("-")
    key = raw[1:] if descending else raw
    return Sort(key, descending) if key in SORT_KEYS else DEFAULT_SORT


def parse_size(raw: str | None) -> int:
    return int(raw) if raw in {str(size) for size in PAGE_SIZES} else DEFAULT_PAGE_SIZE


# -- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    #: As in the query string and the session: "email", or "a<question id>".
    key: str
    label: str
    #: The ``sort`` key of the column, if it can be sorted by.
    sort: str | None = None
    question: Question | None = None


STANDARD_COLUMNS = (
    Column("company", _l("Azienda o ente"), "company"),
    Column("email", _l("Email"), "email"),
    Column("phone", _l("Telefono")),
    Column("status", _l("Stato"), "status"),
    Column("attendance", _l("Partecipazione"), "attendance"),
    Column("party", _l("Persone"), "party"),
    Column("created", _l("Iscritta il"), "created"),
    Column("checkin", _l("Ingresso"), "checkin"),
)


def sort_label(key: str) -> str:
    """The header of the column sorted by *key*."""
    if key == "name":
        return str(_l("Nome"))
    return next(str(c.label) for c in STANDARD_COLUMNS if c.sort == key)


#: Column keys a question's answers are shown under.
ANSWER_PREFIX = "a"


def available_columns(event: Event) -> list[Column]:
    """Every optional column of *event*'s list: the standard ones, then each question."""
    return [
        *STANDARD_COLUMNS,
        *(
            Column(f"{ANSWER_PREFIX}{question.id}", question.text("label"), question=question)
            for question in sorted(event.questions, key=lambda q: (q.position, q.id))
        ),
    ]


def default_columns(event: Event) -> list[str]:
    """Shown until the organiser chooses: what the event's form asks, questions aside."""
    hidden = {"phone"}
    if not event.for_organisations:
        hidden.add("company")
    if not event.asks_party_size:
        hidden.add("party")
    return [column.key for column in STANDARD_COLUMNS if column.key not in hidden]


def chosen_columns(event: Event, keys: Iterable[str] | None) -> list[Column]:
    """The columns among *keys* (the default when None), in the list's own order."""
    wanted = set(default_columns(event) if keys is None else keys)
    return [column for column in available_columns(event) if column.key in wanted]


# -- the page ---------------------------------------------------------------------------------


@dataclass
class ListPage(Paged):
    items: list[Registration] = field(default_factory=list)
    #: Registration id → question id → stored answer, for the question columns shown.
    answers: dict[int, dict[int, object]] = field(default_factory=dict)


def list_page(
    event: Event,
    filters: RegistrationFilter,
    sort: Sort = DEFAULT_SORT,
    page: int = 1,
    size: int = DEFAULT_PAGE_SIZE,
    questions: Iterable[Question] = (),
) -> ListPage:
    """Page *page* of *event*'s registrations matching *filters* in *sort* order, with
    the answers to *questions* of the rows on it. A page past the end is the last one."""
    query = filtered(event, filters).order_by(None)
    total = db.session.scalar(query.with_only_columns(sa.func.count(), maintain_column_froms=True))
    at = Paged.at(total, page, size)
    items = list(db.session.scalars(query.order_by(*sort.order_by()).limit(size).offset(at.offset)))
    return ListPage(
        total=total,
        number=at.number,
        size=size,
        items=items,
        answers=answers_of([r.id for r in items], [q.id for q in questions]),
    )


def answers_of(
    registration_ids: list[int], question_ids: list[int]
) -> dict[int, dict[int, object]]:
    """Registration id → question id → stored answer, in one query."""
    found: dict[int, dict[int, object]] = {}
    if not registration_ids or not question_ids:
        return found
    rows = db.session.execute(
        sa.select(Answer.registration_id, Answer.question_id, Answer.value).where(
            Answer.registration_id.in_(registration_ids),
            Answer.question_id.in_(question_ids),
        )
    )
    for registration_id, question_id, value in rows:
        found.setdefault(registration_id, {})[question_id] = value
    return found


def waitlist_positions(event: Event, registrations: list[Registration]) -> dict[int, int]:
    """Registration id → place in *event*'s waiting list, for the waitlisted ones among
    *registrations* (a page): numbered in SQL, in the order seats are given (oldest first,
    as :func:`..registrations.seats.waitlist_positions`), only the page's places read."""
    ids = [r.id for r in registrations if r.status is RegistrationStatus.waitlisted]
    if not ids:
        return {}
    line = (
        sa.select(
            Registration.id.label("id"),
            sa.func.row_number()
            .over(order_by=(Registration.created_at, Registration.id))
            .label("place"),
        )
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.waitlisted,
        )
        .subquery()
    )
    rows = db.session.execute(sa.select(line.c.id, line.c.place).where(line.c.id.in_(ids)))
    return {registration_id: place for registration_id, place in rows}


def breakable_email(address: str) -> Markup:
    """*address* escaped, with a line-break opportunity after the @ and before each dot,
    so a narrow column wraps it at those and never in the middle of a word."""
    local, at, domain = str(escape(address)).partition("@")
    domain = domain.replace(".", "<wbr>.")
    return Markup(f"{local.replace('.', '<wbr>.')}{at}{'<wbr>' if at else ''}{domain}")
