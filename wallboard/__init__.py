"""wallboard — a live terminal wallboard for call-center supervisors."""

__version__ = "0.1.0"
