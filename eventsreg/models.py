"""Every model of the service, so that queries and migrations see all tables.

Importing this module registers each domain's models on the metadata; the app factory
imports it.
"""

from .events import models as events  # noqa: F401
from .mail import models as mail  # noqa: F401
from .organizer import models as organizer  # noqa: F401
from .questions import models as questions  # noqa: F401
from .registrations import models as registrations  # noqa: F401
