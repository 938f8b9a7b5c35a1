"""What happens to an event that the layers above must act on.

Sent inside the transaction that makes the change, before its commit, with the event as
sender: a receiver's writes (the registrants' updated invitations) are stored with the
change or not at all. The registrations domain connects its receivers when it is imported.
"""

from blinker import Namespace

_signals = Namespace()

#: The event's time or place changed (its SEQUENCE is already raised).
event_moved = _signals.signal("event-moved")
#: The event was cancelled (its SEQUENCE is already raised).
event_cancelled = _signals.signal("event-cancelled")
