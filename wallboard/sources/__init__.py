"""Backends: each module implements :class:`wallboard.sources.base.Source`."""
