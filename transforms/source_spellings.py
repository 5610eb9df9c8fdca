"""One source per document, however the seeds folder is spelt.

A source key is a document's path as the run spelt its seeds folder (with its position in
the file for a .jsonl line, a table row or a WARC record), so `--seeds ../shared/bbc` and
`--seeds /work/shared/bbc` spell every file two ways. Read through the second spelling,
each file was rejected as a duplicate of itself and never enriched again. A run therefore
reads a document under the key the warehouse already stores it under, and forgets the
rejections other spellings of it left (a document only ever rejected is rejected under the
spelling of the latest run that read it).

Two paths name one file when their folders resolve to the same place (the caller passes
`os.path.realpath`, so a symlinked folder is the folder it points to) and their file names
are equal. A run that reads one file twice (a folder linked inside the seeds folder) stores
it once: a reading under its stored spelling keeps it, else the first reading takes it, and
any other reading keeps its own spelling, a duplicate of that one. Pure: the resolver is
the only way to the file system, each folder resolved once.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Callable, Iterable

from wirehouse.transforms.records import SourceKey

Place = tuple[str, str, int | None]  # (resolved folder, file name, position in the file)


class SourceSpellings:
    """For one run: where each document it reads is stored under another spelling, and
    which other spellings' rejections it leaves accounting for nothing."""

    def __init__(self, stored_keys: Iterable[str], seen_keys: Iterable[str], read_paths: Iterable[str],
                 resolve: Callable[[str], str]):
        self._resolve = resolve
        self._resolved: dict[str, str] = {}
        self._read = set(read_paths)
        self._stored_keys = set(stored_keys)
        self._stored: dict[Place, list[str]] = defaultdict(list)  # paths holding an article there
        self._rejected: dict[Place, list[str]] = defaultdict(list)  # paths only rejected there
        for key in sorted(self._stored_keys):
            parsed = SourceKey.parse(key)
            self._stored[self.place(parsed)].append(parsed.path)
        for key in sorted(set(seen_keys) - self._stored_keys):
            parsed = SourceKey.parse(key)
            self._rejected[self.place(parsed)].append(parsed.path)
        # the folders this run reads, resolved: a stored source in one of them is below the
        # seeds folder even when it is reached through a link inside it
        self._read_folders = {self._folder(os.path.dirname(path)) for path in self._read}
        self._read_files = {self.file_of(path) for path in self._read}  # (resolved folder, name)

    def place(self, key: SourceKey) -> Place:
        """Equal for two spellings of one document."""
        return *self.file_of(key.path), key.position

    def file_of(self, path: str) -> tuple[str, str]:
        """(resolved folder, file name): equal for two spellings of one file."""
        folder, name = os.path.split(path)
        return self._folder(folder), name

    def _folder(self, folder: str) -> str:
        resolved = self._resolved.get(folder)
        if resolved is None:
            resolved = self._resolved[folder] = self._resolve(folder)
        return resolved

    def stored_spellings(self, key: SourceKey) -> list[str]:
        """The paths the document read at `key` is stored under: its own first, then those no
        reading of this run takes (a path the run reads stores its own documents)."""
        own = [key.path] if str(key) in self._stored_keys else []
        return own + [path for path in self._stored.get(self.place(key), ()) if path not in self._read]

    def others(self, key: SourceKey, read_path: str) -> list[str]:
        """Keys of the document planned under `key` (read at `read_path`) under other
        spellings that hold only a rejection: its reading under `read_path`, and spellings
        this run does not read. Once the document is accounted for under `key`, they
        account for nothing."""
        return [
            str(SourceKey(path, key.position)) for path in self._rejected.get(self.place(key), ())
            if path != key.path and (path == read_path or path not in self._read)
        ]

    def reads(self, path: str) -> bool:
        """Whether this run reads the file at `path`, under any spelling."""
        return self.file_of(path) in self._read_files

    def under(self, key: str, folder: str) -> bool:
        """Whether a stored key lies below the seeds folder `folder`: as spelt, once both are
        resolved, or in a folder this run reads."""
        parsed = SourceKey.parse(key)
        if parsed.path.startswith(folder.rstrip("/") + "/"):
            return True
        resolved, name = self.file_of(parsed.path)
        return resolved in self._read_folders or \
            os.path.join(resolved, name).startswith(self._folder(folder).rstrip("/") + "/")
