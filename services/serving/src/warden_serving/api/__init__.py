"""Read APIs of the runtime: a deployment's resources (processes, ports, logs) and an overview for tests/ops."""
