"""Personal data over its life: a registrant's copy of their data, erasure, and the purge of
registrations kept longer than the retention period."""
