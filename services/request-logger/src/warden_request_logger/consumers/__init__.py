"""Bus consumers of the request logger."""
