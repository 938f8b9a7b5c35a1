"""gunicorn settings read from the working directory: `gunicorn app:app` picks them up.

Command-line options (workers, bind) still apply on top of these.
"""

from eventsreg.logs import gunicorn_logger_class

# The access log (when turned on with --access-logfile) never shows personal links,
# check-in codes or searched names.
logger_class = gunicorn_logger_class()


def post_worker_init(worker):
    """Once the worker has loaded the app, move everything it holds (modules, the app,
    compiled templates) out of the garbage collector's sight: those objects live as long
    as the worker, and the collector would otherwise walk all of them again on each full
    collection during requests (measured in bench/fixes.md). Then start summing up the
    largest events for the organiser's pages (eventsreg/organizer/warming.py)."""
    import gc

    app = worker.wsgi
    # Only this service's app warms up: not the benchmark's baselines, which share these
    # settings, nor gunicorn's error page after a failed import.
    warms = bool(getattr(app, "config", {}).get("SUMMARIES_WARMED_FROM"))
    if warms:
        from eventsreg.organizer import warming
    gc.collect()
    gc.freeze()
    if warms:
        # In the background: the worker answers requests meanwhile.
        warming.start(app)
