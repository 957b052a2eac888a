"""Statistics kept for good: built from the event log, without personal data."""
