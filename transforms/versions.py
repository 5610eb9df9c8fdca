"""The version stored with an article, beside its model's: what decides re-extraction.

A stored article is re-enriched when the string stored with it differs from the one a run
would store (incremental.py): `nlp.enrichment_version` for every article, followed by the
extraction version for an article extracted from a web page.
"""

from __future__ import annotations

import importlib.metadata

# Bump when a change in pages.py changes the article extracted from a web page.
EXTRACTION_CODE_VERSION = "1"


def extraction_version() -> str:
    """trafilatura's version and the extraction code's (read from the package metadata, so
    planning never imports trafilatura)."""
    return f"trafilatura=={importlib.metadata.version('trafilatura')};wirehouse-extract=={EXTRACTION_CODE_VERSION}"


def stored_version(enrichment: str, extraction: str | None) -> str:
    """The version stored with an article: its enrichment, and for a page its extraction."""
    return enrichment if extraction is None else f"{enrichment};{extraction}"
