"""assess: competency assessment and quiz engine for training programmes."""

__version__ = "0.1.0"
