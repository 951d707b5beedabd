"""`warden demo`: build the demo models locally (no downloads) and say where they are."""
