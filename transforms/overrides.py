"""Analyst decisions about entities, read from a JSON file on every run so they survive re-runs.

The file (`entity_overrides.json` ships empty; `--entity-overrides FILE` names another) pins
labels of names, the person a full name means, pairs of full names that are never one
person, and the person (or "not a person") of single mentions; the identity step
(identity.py) applies them before any of its own evidence.
"""

from __future__ import annotations

import json
from pathlib import Path

SHIPPED = Path(__file__).with_name("entity_overrides.json")
SECTIONS = ("labels", "names", "no_merge", "mentions")


class OverridesError(ValueError):
    """The overrides file cannot be read or is not of the expected shape."""


def load_overrides(path: str | Path | None = None) -> dict:
    file = Path(path) if path else SHIPPED
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise OverridesError(f"cannot read entity overrides {file}: {error}") from None
    if not isinstance(data, dict):
        raise OverridesError(f"entity overrides {file}: expected a JSON object with {', '.join(SECTIONS)}")
    overrides = {section: data.get(section) or ({} if section != "no_merge" else []) for section in SECTIONS}
    if not all(isinstance(overrides[s], dict) for s in ("labels", "names", "mentions")) or \
            not isinstance(overrides["no_merge"], list):
        raise OverridesError(f"entity overrides {file}: labels, names and mentions are objects, no_merge a list")
    overrides["labels"] = {name.casefold(): label for name, label in overrides["labels"].items()}
    return overrides
