"""Scorers that measure enrichment against annotated corpora."""


class BenchmarkUnreadable(ValueError):
    """An annotated corpus a scorer cannot read: named with the place and the reason, for
    `wirehouse evaluate` to print instead of a traceback or a score of nothing."""
