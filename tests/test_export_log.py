"""Every export of registrations is logged: who, when, which event, which format."""

import getpass

import sqlalchemy as sa

from eventsreg.extensions import db
from eventsreg.organizer.models import ExportRecord


def _log() -> list[ExportRecord]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ExportRecord).order_by(ExportRecord.id)))


def test_each_download_is_logged_with_who_when_and_format(
    client, create_event, create_organizer, sign_in, register, now
):
    event, other = create_event(), create_event()
    register(event)
    organizer = create_organizer(events=[event, other])
    sign_in(organizer)
    assert client.get(f"/organizer/events/{event.slug}/registrations.csv").status_code == 200
    assert client.get(f"/organizer/events/{event.slug}/registrations.xlsx").status_code == 200
    client.get(f"/organizer/events/{other.slug}/registrations.csv?sep=comma")
    entries = _log()
    assert [(e.event_id, e.file_format) for e in entries] == [
        (event.id, "csv"),
        (event.id, "xlsx"),
        (other.id, "csv"),
    ]
    for entry in entries:
        assert entry.organizer_id == organizer.id
        assert entry.actor == organizer.email
        assert entry.remote_addr == "127.0.0.1"
        assert abs((entry.created_at - now).total_seconds()) < 60

    page = client.get(f"/organizer/events/{event.slug}/exports").get_data(as_text=True)
    assert page.count(organizer.email) >= 2
    assert "XLSX" in page and "CSV" in page


def test_a_refused_download_is_not_logged(client, create_event, create_organizer, sign_in):
    event = create_event()
    sign_in(create_organizer(events=[]))
    assert client.get(f"/organizer/events/{event.slug}/registrations.csv").status_code == 404
    assert _log() == []


def test_the_command_line_export_is_logged_with_the_system_user(
    runner, create_event, register, tmp_path
):
    event = create_event()
    register(event)
    result = runner.invoke(
        args=["registrations", "export", event.slug, "--format", "xlsx", "-o", tmp_path / "x.xlsx"]
    )
    assert result.exit_code == 0, result.output
    [entry] = _log()
    assert entry.actor == f"cli:{getpass.getuser()}"
    assert entry.organizer_id is None
    assert entry.file_format == "xlsx"


def test_the_log_outlives_the_organisers_account(client, create_event, create_organizer, sign_in):
    event = create_event()
    organizer = create_organizer("temporanea@example.org", events=[event])
    sign_in(organizer)
    client.get(f"/organizer/events/{event.slug}/registrations.csv")
    db.session.delete(db.session.merge(organizer))
    db.session.commit()
    [entry] = _log()
    assert entry.organizer_id is None
    assert entry.actor == "temporanea@example.org"
