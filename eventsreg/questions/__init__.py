"""Questions: an event's own questions, their kinds and their answers."""
