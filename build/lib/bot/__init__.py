"""Owner Bot: answers who owns a piece of work and what the product manager does there."""

__version__ = "0.1.0"
