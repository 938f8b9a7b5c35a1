"""Every model of the service, so that queries and migrations see all tables."""


def import_all() -> None:
    """Import each domain's models (they register themselves on the metadata)."""
    from .events import models as events  # noqa: F401
    from .mail import models as mail  # noqa: F401
    from .organizer import models as organizer  # noqa: F401
    from .registrations import models as registrations  # noqa: F401
