"""What the registration rules refuse. Services raise these from under the event's lock,
where the state they describe is certain; views turn them into messages."""


class RegistrationError(Exception):
    """A change to registrations that the rules refuse."""


class AlreadyRegistered(RegistrationError):
    """The email has an active registration for the event."""


class RegistrationClosed(RegistrationError):
    """The event does not take (or change) registrations now."""


class NotEnoughSeats(RegistrationError):
    """More people in person than the room has left."""

    def __init__(self, seats_left: int):
        super().__init__(seats_left)
        self.seats_left = seats_left


class CapacityBelowTaken(RegistrationError):
    """A capacity smaller than the people already confirmed in person."""

    def __init__(self, taken: int):
        super().__init__(taken)
        self.taken = taken


class NotPending(RegistrationError):
    """Only a registration waiting for approval can be approved or rejected."""


class NotWaitlisted(RegistrationError):
    """Only a registration on the waiting list can be confirmed by hand."""


class NoRecipients(RegistrationError):
    """No active registration matches the filters of a message."""
