"""Warden's batch inference and batch feedback jobs over object storage."""
