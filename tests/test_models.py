"""Rules kept by the schema itself, whatever code writes to it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from eventsreg.extensions import db
from eventsreg.questions.models import Answer
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus


def _registration(event, **kwargs) -> Registration:
    kwargs.setdefault("email", "a@example.com")
    kwargs.setdefault("token_hash", kwargs["email"].ljust(64, "0")[:64])
    return Registration(
        event=event,
        status=RegistrationStatus.confirmed,
        attendance=AttendanceMode.in_person,
        first_name="A",
        last_name="B",
        company_name="C",
        privacy_consent_at=datetime.now(UTC),
        privacy_notice_version=1,
        **kwargs,
    )


def test_one_registration_per_email_and_event(create_event):
    event = create_event()
    db.session.add(_registration(event))
    db.session.commit()
    db.session.add(_registration(event, token_hash="f" * 64))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_email_must_be_stored_lower_case(create_event):
    db.session.add(_registration(create_event(), email="Mixed@Example.com"))
    with pytest.raises(IntegrityError, match="email_lowercase"):
        db.session.commit()
    db.session.rollback()


def test_status_outside_the_enum_is_rejected_by_the_database(create_event):
    db.session.add(_registration(create_event()))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE registrations SET status = 'vip'"))
    db.session.rollback()


def test_event_must_end_after_it_starts(create_event, now):
    with pytest.raises(IntegrityError, match="ends_after_start"):
        create_event(starts_at=now, ends_at=now - timedelta(hours=1))
    db.session.rollback()


def test_foreign_keys_are_enforced_on_sqlite(create_event):
    db.session.add(_registration(create_event()))
    db.session.commit()
    db.session.add(
        Answer(
            registration_id=db.session.scalar(sa.select(Registration.id)),
            question_id=999,
            value="x",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_deleting_an_event_deletes_its_registrations(create_event):
    event = create_event()
    db.session.add(_registration(event))
    db.session.commit()
    db.session.delete(event)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_times_come_back_aware_in_utc(create_event):
    rome_evening = datetime(2022, 12, 13, 17, 0, tzinfo=ZoneInfo("Europe/Rome"))
    event = create_event(
        starts_at=rome_evening, ends_at=rome_evening + timedelta(hours=1, minutes=30)
    )
    db.session.expire_all()
    assert event.starts_at == datetime(2022, 12, 13, 16, 0, tzinfo=UTC)
    assert event.starts_at.tzinfo is UTC


def test_naive_datetimes_are_refused(create_event):
    with pytest.raises(StatementError, match="naive datetime"):
        create_event(
            starts_at=datetime(2022, 12, 13, 17, 0), ends_at=datetime(2022, 12, 13, 18, 30)
        )
    db.session.rollback()
