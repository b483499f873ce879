"""dialogue-analysis: from stakeholder-dialogue interviews to an evidence-based findings report."""

__version__ = "0.1.0"

__all__ = ["__version__"]
