"""One export in a process of its own, so that its time and peak memory are its alone.

``python -m bench.export_one SLUG csv|xlsx OUTPUT`` builds the app from the
``EVENTSREG_*`` environment (as gunicorn and ``flask`` do), then writes the export with
the code the organiser's download and ``flask registrations export`` use
(``exports.csv_chunks`` / ``exports.xlsx_chunks``), and prints one JSON line: the
export's seconds, the peak RSS before and after it, and the file's size.
"""

import json
import resource
import sys
import time


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    slug, file_format, output = argv
    import sqlalchemy as sa

    from eventsreg import create_app, exports
    from eventsreg.events.models import Event
    from eventsreg.extensions import db

    app = create_app()
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        if event is None:
            print(f"no event {slug!r}", file=sys.stderr)
            return 1
        before = _peak_rss_mib()
        started = time.perf_counter()
        if file_format == "csv":
            chunks = exports.csv_chunks(event, ";")
        else:
            chunks = exports.xlsx_chunks(event)
        size = 0
        with open(output, "wb") as fh:
            for chunk in chunks:
                size += len(chunk)
                fh.write(chunk)
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before_mib": before,
                "rss_peak_mib": _peak_rss_mib(),
                "bytes": size,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
