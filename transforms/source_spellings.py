"""One source per file, however the seeds folder is spelt.

A source key is a document's path as the run spelt its seeds folder, so `--seeds
../shared/bbc` and `--seeds /work/shared/bbc` spell every file two ways. Read through the
second spelling, each file was rejected as a duplicate of itself and nothing was enriched
again. A run therefore reads a file under the spelling the warehouse already holds for it,
and forgets the other spellings' rejections.

Two paths name one file when their folders resolve to the same place (the caller passes
`os.path.realpath`, so a symlinked folder is the folder it points to) and their file names
are equal. A run that reads one file twice (a folder linked inside the seeds folder) keeps
the second reading apart, a duplicate of the first, as before. Pure: the resolver is the
only way to the file system, and each folder is resolved once.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable

from wirehouse.transforms.records import SourceKey


class SourceSpellings:
    """For one run: the stored spelling of each path it reads, and the spellings it leaves
    accounting for nothing."""

    def __init__(self, stored_keys: Iterable[str], seen_keys: Iterable[str], read_paths: Iterable[str],
                 resolve: Callable[[str], str]):
        self._stored_keys = set(stored_keys)
        self._seen_keys = set(seen_keys)
        self._resolve = resolve
        self._resolved: dict[str, str] = {}
        stored_paths = {SourceKey.parse(key).path for key in self._stored_keys}
        seen_paths = {SourceKey.parse(key).path for key in self._seen_keys} - stored_paths
        # each file's known spellings: those holding articles first, then those only rejected,
        # in folders spelt as articles' folders are first (a duplicate of another file keeps
        # the spelling of the article it duplicates)
        article_folders = {os.path.dirname(path) for path in stored_paths}
        self._known: dict[tuple[str, str], list[str]] = {}
        rejected_only = sorted(seen_paths, key=lambda path: (os.path.dirname(path) not in article_folders, path))
        for path in [*sorted(stored_paths), *rejected_only]:
            self._known.setdefault(self.place(path), []).append(path)
        read = list(dict.fromkeys(read_paths))
        self._respelt = self._respell(read, stored_paths)
        self._kept = set(read) - set(self._respelt)  # paths this run stores documents under

    def place(self, path: str) -> tuple[str, str]:
        """(resolved folder, file name): equal for two spellings of one file."""
        folder, name = os.path.split(path)
        return self._folder(folder), name

    def _folder(self, folder: str) -> str:
        resolved = self._resolved.get(folder)
        if resolved is None:
            resolved = self._resolved[folder] = self._resolve(folder)
        return resolved

    def _respell(self, read: list[str], stored_paths: set[str]) -> dict[str, str]:
        """The first path read of each known file takes the file's first known spelling,
        unless the run also reads a spelling the file is stored or known under."""
        readings: dict[tuple[str, str], list[str]] = {}
        for path in read:
            readings.setdefault(self.place(path), []).append(path)
        respelt = {}
        for place, paths in readings.items():
            known = self._known.get(place)
            if not known or known[0] in paths or any(path in stored_paths for path in paths):
                continue
            respelt[paths[0]] = known[0]
        return respelt

    def spelling_of(self, path: str) -> str:
        """The spelling a document read at `path` is stored under."""
        return self._respelt.get(path, path)

    def others(self, key: SourceKey) -> list[str]:
        """Keys of the same document under spellings this run stores nothing under and that
        hold no article: rejections (each a duplicate of itself) that account for nothing
        once the document is read under its stored spelling."""
        return [
            other for path in self._known.get(self.place(key.path), []) if path != key.path and path not in self._kept
            if (other := str(SourceKey(path, key.position))) in self._seen_keys and other not in self._stored_keys
        ]

    def under(self, key: str, folder: str) -> bool:
        """Whether a stored key lies below `folder`, as spelt or once both are resolved."""
        path = SourceKey.parse(key).path
        if path.startswith(folder.rstrip("/") + "/"):
            return True
        resolved_folder = self._folder(folder).rstrip("/") + "/"
        return os.path.join(*self.place(path)).startswith(resolved_folder)
