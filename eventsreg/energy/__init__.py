"""The energy-community picture: who can be a member and why, supply points and plants per
primary substation, and a first estimate of the shared energy and the incentive.

The rules applied, with their sources and the date they were checked, are in
docs/energy-community-rules.md (``rules.RULES_CHECKED``).
"""
