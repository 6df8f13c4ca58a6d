"""The package version, in a module of its own so that any module can record it without
importing the package facade (`cfc_sim/__init__.py`, which re-exports it)."""

__version__ = "0.1.0"
