"""Maintenance scripts, run by hand (`.venv/bin/python tools/NAME.py`); not part of the package."""
