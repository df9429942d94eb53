"""Synthetic licence-plate data engine."""
