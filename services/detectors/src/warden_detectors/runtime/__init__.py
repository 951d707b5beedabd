"""The detectors' runtime: inference events in, detectors scoring them, replies out on the bus."""
