"""The passages service: one event per vehicle passage, with its list match and decision."""
