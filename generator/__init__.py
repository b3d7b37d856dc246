"""Insight Portal: customer insights, personas and journeys as a validated portal."""

__version__ = "0.1.0"
