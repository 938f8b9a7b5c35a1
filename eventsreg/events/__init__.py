"""Events: the Event and Question models and the public event pages."""
