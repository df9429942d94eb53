"""The pipeline services; each runs as ``python -m services.<name>``."""
