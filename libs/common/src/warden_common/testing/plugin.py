"""pytest plugin (entry point `warden`): fixtures for the real servers started by scripts/infra."""
