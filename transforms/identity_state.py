"""The identity step's state as rows, and the containers that remember what a batch changed.

`transforms/identity.py` works on a plain dict of counters, maps and sets. The warehouse keeps
it as rows of (part, key, value) in `identity_state` (JSON values); a run loads them once (but
the short-mention records, read by key when a batch needs them: `ShortRecords`) and, after
each batch, writes back only the entries the batch touched. The containers here are
the plain ones with a memory of the keys read for writing (`changed`), so the pure code needs
no bookkeeping of its own.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any, Callable, Iterable, Iterator

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


class ShortRecords(ChangedRecords):
    """The short-mention records (part `short`), kept in the warehouse rather than in memory.

    They are the one part that grows with every article (about 2.6 KB of Python objects each,
    20,601 records after 30,000 synthetic articles: half of the state's memory), and a batch
    reads only those of the surnames it gave new people. With a `read` function (keys -> their
    stored JSON values) a record is read from the warehouse when asked for, and forgotten once
    `changed_rows` has handed it out to be written; without one, every record stays in memory.
    """

    def __init__(self, read: Callable[[list[str]], dict[str, str]] | None = None) -> None:
        super().__init__()
        self.read = read

    def read_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """These keys' records (None for a key with no record), read from the warehouse in one
        query for those not in memory; nothing counts as changed."""
        missing = [key for key in keys if not dict.__contains__(self, key)]
        if missing and self.read is not None:
            for key, raw in self.read(missing).items():
                dict.__setitem__(self, key, _decode("short", raw))
        return {key: dict.get(self, key) for key in keys}

    def __getitem__(self, key: Any) -> Any:
        if not dict.__contains__(self, key):
            self.read_many([key])
        return super().__getitem__(key)

    def forget_written(self) -> None:
        """Drop the records from memory once written (only when the warehouse can give them back)."""
        if self.read is not None:
            self.clear()


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
_RECORDS = ("identities", "labels", "short")  # "short" in a ShortRecords
_IDENTITY_COUNTERS = ("forms", "sections", "context", "roles", "gender")
SCALARS = ("n_articles",)


def empty_state(read_short: Callable[[list[str]], dict[str, str]] | None = None) -> dict:
    """A state of changed-remembering containers, with the parts `identity.new_state` has;
    `read_short` reads stored short-mention records by key (see ShortRecords)."""
    state = new_state()
    for part in _COUNTERS:
        state[part] = ChangedCounter()
    for part in _ASSIGNMENTS:
        state[part] = ChangedAssignments()
    for part in _SETS:
        state[part] = ChangedSets()
    for part in _RECORDS:
        state[part] = ChangedRecords()
    state["short"] = ShortRecords(read_short)
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


def load(rows: Iterable[tuple[str, str, str]], read_short: Callable[[list[str]], dict[str, str]] | None = None
         ) -> dict:
    """A state from (part, key, JSON value) rows; nothing in it counts as changed. With
    `read_short`, the rows need not hold part `short`: its records are read when asked for."""
    state = empty_state(read_short)
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
                # most changed entries are counts (word cases, name frequencies): their JSON is
                # their digits, and json.dumps took 0.8 s of the 7.7 s the step spends on BBC
                raw = str(value) if type(value) is int else json.dumps(value, separators=(",", ":"), default=_plain)
                yield part, str(key), raw
            else:
                yield part, str(key), None
        container.changed.clear()
    state["short"].forget_written()


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot keep a {type(value).__name__} in the identity state")
