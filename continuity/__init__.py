"""Continuity: hospital care continuity during an outage of the central systems."""

__version__ = "0.1.0"
