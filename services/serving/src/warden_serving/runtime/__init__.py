"""The serving runtime: a port (what the data plane and reconciler need) and its local MLServer adapter."""
