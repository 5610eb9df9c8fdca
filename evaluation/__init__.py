"""Scorers that measure enrichment against annotated corpora."""
