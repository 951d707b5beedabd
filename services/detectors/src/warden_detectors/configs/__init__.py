"""Detector configurations: the DetectorData wire models (seldon-deploy-sdk 1.6), their store and CRUD routes."""
