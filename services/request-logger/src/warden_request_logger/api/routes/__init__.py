"""Routes of the request logger."""
