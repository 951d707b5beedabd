"""Warden's shared contracts. Imports no service; every service imports from here."""

__version__ = "0.1.0"
