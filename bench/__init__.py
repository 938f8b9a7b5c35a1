"""Benchmarks of eventsreg against bare-stack baselines: ``make bench`` (see README.md)."""
