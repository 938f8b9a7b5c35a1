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

    gc.collect()
    gc.freeze()
    # Then, in the background, the organiser's summaries of the largest events, so that
    # their first view in this worker is not the one that reads them whole.
    if hasattr(worker.wsgi, "config"):  # not gunicorn's error page after a failed import
        from eventsreg.organizer import warming

        warming.start(worker.wsgi)
