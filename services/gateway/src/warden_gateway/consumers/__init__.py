"""Bus consumers of the gateway."""
