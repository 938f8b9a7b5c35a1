"""The public site: the list of events, each event's page with its registration state, the
calendar feed, and the site-wide pages (health check, language, accessibility).

Its pages show more than one domain (an event and its seats), so they sit above them.
"""
