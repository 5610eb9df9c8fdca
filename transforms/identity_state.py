"""The identity step's state as rows, and the containers that remember what a batch changed.

`transforms/identity.py` works on a plain dict of counters, maps and sets. The warehouse keeps
it as rows of (part, key, value) in `identity_state` (JSON values); a run loads them once and,
after each batch, writes back only the entries the batch touched. The containers here are
the plain ones with a memory of the keys read for writing (`changed`), so the pure code needs
no bookkeeping of its own.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any, Iterable, Iterator

from wirehouse.transforms.identity import new_state


class _RemembersWrites:
    """Mixed into a mapping: remembers every key assigned or deleted (`changed`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changed: set = set()

    def __setitem__(self, key: Any, value: Any) -> None:
        self.changed.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        self.changed.add(key)
        super().__delitem__(key)


class ChangedCounter(_RemembersWrites, Counter):
    """A counter that remembers the keys it was given a new count for."""


class ChangedAssignments(_RemembersWrites, dict):
    """A map of plain values that remembers the keys assigned."""


class ChangedRecords(ChangedAssignments):
    """A map of mutable records (dicts, counters) that remembers every key taken out with
    `[]`: such a record may be changed in place. `get` is for reading (identity.py takes
    records it changes with `[]`)."""

    def __getitem__(self, key: Any) -> Any:
        self.changed.add(key)
        return super().__getitem__(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self.changed.add(key)
        return super().setdefault(key, default)


class ChangedSets(defaultdict):
    """key -> set, remembering the keys whose set was taken out to be changed (`d[key].add`)."""

    def __init__(self) -> None:
        super().__init__(set)
        self.changed: set = set()

    def __getitem__(self, key: Any) -> Any:
        self.changed.add(key)
        return super().__getitem__(key)


# How each part of the state is kept: its container, and how a value is written and read.
_COUNTERS = ("df", "sections", "word_case", "norp_words")
_ASSIGNMENTS = ("key_index", "redirects", "label_decided", "counted")
_SETS = ("surname_index", "first_names", "short_by_surname")
_RECORDS = ("identities", "labels", "short")
_IDENTITY_COUNTERS = ("forms", "sections", "context", "roles", "gender")
SCALARS = ("n_articles",)


def empty_state() -> dict:
    """A state of changed-remembering containers, with the parts `identity.new_state` has."""
    state = new_state()
    for part in _COUNTERS:
        state[part] = ChangedCounter()
    for part in _ASSIGNMENTS:
        state[part] = ChangedAssignments()
    for part in _SETS:
        state[part] = ChangedSets()
    for part in _RECORDS:
        state[part] = ChangedRecords()
    return state


def _decode(part: str, raw: str) -> Any:
    value = json.loads(raw)
    if part == "identities":
        for name in _IDENTITY_COUNTERS:
            value[name] = Counter(value.get(name, {}))
    elif part == "labels":
        value = {"votes": Counter(value.get("votes", {})), "cues": Counter(value.get("cues", {}))}
    elif part == "short":
        value["spans"] = [tuple(span) for span in value.get("spans", [])]
    elif part in _SETS:
        value = set(value)
    return value


def load(rows: Iterable[tuple[str, str, str]]) -> dict:
    """A state from (part, key, JSON value) rows; nothing in it counts as changed."""
    state = empty_state()
    for part, key, raw in rows:
        if part in SCALARS:
            state[part] = json.loads(raw)
            continue
        container = state[part]
        dict.__setitem__(container, key, _decode(part, raw))
    for part in (*_COUNTERS, *_ASSIGNMENTS, *_SETS, *_RECORDS):
        state[part].changed.clear()
    return state


def changed_rows(state: dict) -> Iterator[tuple[str, str, str | None]]:
    """(part, key, JSON value or None when deleted) of every entry changed since the last
    call; the containers forget what they handed out."""
    for part in SCALARS:
        yield part, "", json.dumps(state[part])
    for part in (*_COUNTERS, *_ASSIGNMENTS, *_SETS, *_RECORDS):
        container = state[part]
        for key in sorted(container.changed, key=str):
            if dict.__contains__(container, key):
                value = dict.__getitem__(container, key)
                if part in _SETS:
                    value = sorted(value)
                yield part, str(key), json.dumps(value, separators=(",", ":"), default=_plain)
            else:
                yield part, str(key), None
        container.changed.clear()


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot keep a {type(value).__name__} in the identity state")
