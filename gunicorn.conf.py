"""gunicorn settings read from the working directory: `gunicorn app:app` picks them up.

Command-line options (workers, bind) still apply on top of these.
"""

from eventsreg.logs import gunicorn_logger_class

# The access log (when turned on with --access-logfile) never shows personal links,
# check-in codes or searched names.
logger_class = gunicorn_logger_class()
