"""Creating and changing events: the rules the organiser's editor relies on."""

import sqlalchemy as sa

from ..extensions import db
from . import services
from .models import Event, EventStatus, Question


def create_event(values: dict, organizer) -> Event:
    """A new draft event, managed by its creator."""
    event = draft_event(values, organizer)
    db.session.commit()
    return event


def draft_event(values: dict, organizer) -> Event:
    """A new draft event managed by its creator, in the session: the caller adds to it
    (questions copied or a questionnaire) and commits."""
    event = Event(status=EventStatus.draft, **values)
    db.session.add(event)
    event.managers.append(organizer)
    return event


def update_event(event: Event, values: dict) -> bool:
    """Apply the editor's values and commit; returns whether the event moved.

    Moving the time or place raises the calendar SEQUENCE (and registrants are sent
    updated invitations, see :func:`services.change_event`); a new privacy notice gets a
    new version. The capacity is not among *values*: seats are the registrations'
    domain (``registrations.seats.change_capacity``), changed before this call.
    """
    new_notice = (
        values.get("privacy_notice"),
        (values.get("translations") or {}).get("en", {}).get("privacy_notice", ""),
    )
    if new_notice != (event.privacy_notice, event.translation("privacy_notice", "en")):
        # In either language: a consent records the version of the notice it was given to.
        event.privacy_notice_version += 1
    calendar_changes = {k: values.pop(k) for k in services.CALENDAR_FIELDS if k in values}
    for name, value in values.items():
        setattr(event, name, value)
    # change_event commits, with the updated invitations when the event moved.
    return services.change_event(event, **calendar_changes)


def duplicate_event(event: Event, organizer) -> Event:
    """A draft copy for the next edition: same texts and questions, no registrations."""
    copy = Event(
        slug=free_slug(f"{event.slug}-copia"),
        title=event.title,
        summary=event.summary,
        description=event.description,
        organizers=event.organizers,
        status=EventStatus.draft,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        online_url=event.online_url,
        capacity=event.capacity,
        max_party_size=event.max_party_size,
        requires_approval=event.requires_approval,
        contact_email=event.contact_email,
        privacy_notice=event.privacy_notice,
        venue_notes=event.venue_notes,
        translations=dict(event.translations or {}),
        registrants=event.registrants,
        organisation_field=event.organisation_field,
        tax_id_field=event.tax_id_field,
        phone_field=event.phone_field,
        asks_party_size=event.asks_party_size,
        allows_in_person=event.allows_in_person,
        allows_online=event.allows_online,
        allows_interest_only=event.allows_interest_only,
    )
    db.session.add(copy)
    copy.managers = list(event.managers)
    if organizer not in copy.managers:
        copy.managers.append(organizer)
    copy_questions(event, copy)
    db.session.commit()
    return copy


def copy_questions(source: Event, target: Event) -> None:
    """Give *target* copies of *source*'s active questions: options, settings, conditions
    (pointing to the copies), meanings and English texts; never their answers. The caller
    commits."""
    copies: dict[int, Question] = {}
    for question in source.active_questions:
        clone = Question(
            code=question.code,
            position=question.position,
            kind=question.kind,
            label=question.label,
            help_text=question.help_text,
            is_required=question.is_required,
            choices=list(question.choices),
            settings=dict(question.settings),
            condition_values=list(question.condition_values),
            meaning=question.meaning,
            translations=dict(question.translations or {}),
        )
        copies[question.id] = clone
        target.questions.append(clone)
    for question in source.active_questions:
        if question.condition_question_id in copies:
            copies[question.id].condition_question = copies[question.condition_question_id]


def free_slug(base: str) -> str:
    """*base*, or *base* with the first free number ("-2", "-3"…) if another event has it."""
    slug, n = base, 2
    while db.session.scalar(sa.select(Event.id).where(Event.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def set_published(event: Event, published: bool) -> None:
    """Publish a draft or take a published event back to draft (not a cancelled one)."""
    if event.is_cancelled:
        return
    event.status = EventStatus.published if published else EventStatus.draft
    db.session.commit()


def set_registration_closed(event: Event, closed: bool) -> None:
    """Close registration now, or reopen it (within its window)."""
    event.is_registration_closed = closed
    db.session.commit()
