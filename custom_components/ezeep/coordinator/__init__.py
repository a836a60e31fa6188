"""The station's coordinators: people's job lists (jobs.py) and the printer (printer.py)."""
