"""Instructions per registration POST, counted by valgrind's callgrind, beside the timed
figures: the app (on the waiting list, and confirmed with its invitation) and the fair
baseline (``bench/baseline_fair_post.py``), the same POSTs through Flask's test client in
one process, on SQLite. A timed ratio moves by ±0.05 between runs of the same code on a
shared machine; the count repeats for the same code and inputs, so a change of one or two
percent shows.

``python -m bench.instructions N`` is the workload, run under ``valgrind --tool=callgrind
--dump-before=getppid``: each ``os.getppid()`` below makes callgrind write the counters
since the last one to a file of its own, so that each part (N POSTs of one kind, after a
few to warm up) is counted alone.
"""

import gc
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

#: The parts of the workload, in the order of callgrind's dump files (1 is the start-up).
PARTS = {"fair": 2, "waiting list": 3, "confirmed": 5}
WARM_UP = 5


def _mark() -> None:
    # callgrind writes its counters before each call of the C library's getppid().
    os.getppid()


def workload(n: int) -> None:
    import sqlalchemy as sa

    from eventsreg import create_app
    from eventsreg.demo import DEMO_SLUG, seed_demo, seed_registrations
    from eventsreg.events.models import Event
    from eventsreg.extensions import db
    from eventsreg.registrations.models import Registration, RegistrationStatus

    from .run import form_body

    folder = Path(tempfile.mkdtemp(prefix="eventsreg-instructions-"))
    app = create_app(
        {
            "SECRET_KEY": "instructions",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.sqlite'}",
            "RATELIMIT_ENABLED": False,
            "MAIL_DELIVER_AFTER_REQUEST": False,
            "LOG_LEVEL": "WARNING",
        }
    )

    def set_capacity(capacity: int | None) -> None:
        with app.app_context():
            event = db.session.scalar(sa.select(Event).filter_by(slug=DEMO_SLUG))
            event.capacity = capacity
            db.session.commit()
            db.session.remove()

    def statuses(kind: str) -> set:
        with app.app_context():
            found = set(
                db.session.scalars(
                    sa.select(Registration.status).where(Registration.email.like(f"{kind}.%"))
                )
            )
            db.session.remove()
        return found

    with app.app_context():
        db.create_all()
        event = seed_demo()
        seed_registrations(event, 40)
        fields = {q.code: q.field_name for q in event.questions}
        db.session.remove()
    set_capacity(1)  # its seats taken: every POST joins the waiting list
    os.environ["BENCH_BASELINE_DB"] = str(folder / "fair.sqlite")
    os.environ["BENCH_FAIR_FIELDS"] = json.dumps(fields)
    from . import baseline_fair_post as fair

    fair.create_tables()
    sides = {"fair": (fair.app, "/register"), "app": (app, f"/events/{DEMO_SLUG}/register")}
    clients = {}
    for side, (target, url) in sides.items():
        client = target.test_client()
        page = client.get(url).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        clients[side] = (client, url, csrf)

    def posts(side: str, kind: str, count: int) -> None:
        client, url, csrf = clients[side]
        for number in range(count):
            response = client.post(
                url,
                data=form_body(fields, csrf, f"{kind}.{number}@example.it", number),
                content_type="application/x-www-form-urlencoded",
            )
            assert response.status_code == 303, response.status_code

    posts("fair", "warm", WARM_UP)
    posts("app", "warm", WARM_UP)
    # As a gunicorn worker does once started (gunicorn.conf.py): what was loaded is out of
    # the collector's sight, on both sides.
    gc.collect()
    gc.freeze()
    _mark()
    posts("fair", "fair", n)
    _mark()
    posts("app", "waiting", n)
    _mark()
    set_capacity(None)  # seats for everybody: confirmed, with the invitation
    posts("app", "warm-confirmed", WARM_UP)
    _mark()
    posts("app", "confirmed", n)
    _mark()
    # Each part counted what it says.
    assert statuses("waiting") == {RegistrationStatus.waitlisted}, statuses("waiting")
    assert statuses("confirmed") == {RegistrationStatus.confirmed}, statuses("confirmed")
    shutil.rmtree(folder, ignore_errors=True)


def count(n: int, workdir: Path, env: dict[str, str]) -> dict[str, float] | None:
    """Instructions per POST of each part, or None when valgrind is not installed."""
    from .servers import PYTHON, run_command

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    out = workdir / "callgrind.out"
    command = [valgrind, "--tool=callgrind", "--dump-before=getppid"]
    command += [f"--callgrind-out-file={out}", str(PYTHON), "-m", "bench.instructions", str(n)]
    run_command(command, env, workdir / "instructions.log")
    per_post = {}
    for part, index in PARTS.items():
        text = Path(f"{out}.{index}").read_text()
        total = int(re.search(r"^totals: (\d+)", text, re.MULTILINE).group(1))
        per_post[part] = total / n
    return per_post


def instruction_figures(settings, workdir: Path, figures: list) -> None:
    """The app's instructions per registration POST against the fair baseline's."""
    from .run import Figure, log
    from .servers import app_env

    section = "Registration POST, instructions (callgrind, in process, SQLite)"
    name = "Registration POST ({}), instructions, vs fair baseline"
    baseline = "fair baseline: the same POSTs in the same process"
    n = max(2, min(60, settings.rounds * 20))
    log(f"instructions: {n} POSTs of each kind under callgrind…")
    # A fixed hash seed: sets and dicts of strings iterate in the same order in every run.
    counted = count(n, workdir, {**app_env(), "PYTHONHASHSEED": "0"})
    for kind in ("waiting list", "confirmed"):
        if counted is None:
            figures.append(
                Figure(section, name.format(kind), "M", None, None, baseline, None,
                       notes=["skipped: valgrind is not installed"])
            )  # fmt: skip
            continue
        app, fair = counted[kind], counted["fair"]
        figure = Figure(
            section, name.format(kind), "M", app / 1e6, fair / 1e6, baseline, fair / app
        )
        figure.notes.append(
            f"{app:,.0f} instructions per POST against {fair:,.0f}; {n} POSTs each, counted "
            "alone; the same count for the same code, whatever the machine is doing"
        )
        figures.append(figure)


if __name__ == "__main__":
    workload(int(sys.argv[1]))
