"""The recognizer service."""
