"""The alias table: every alias of a place or organisation maps to one canonical entity.

`entity_aliases.tsv` (alias<TAB>canonical name<TAB>label, see the file's header) ships
with Wirehouse; the resolver's `alias_files` setting adds files that override it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from wirehouse.transforms.names import name_key

ALIAS_FILE = Path(__file__).with_name("entity_aliases.tsv")
KEEP_LABEL = "*"  # the alias keeps the label the article decides


@dataclass(frozen=True)
class AliasTable:
    """Alias -> (canonical name, label)."""

    exact: dict[str, tuple[str, str]] = field(default_factory=dict)
    folded: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_files(cls, paths: Sequence[Path | str]) -> "AliasTable":
        table = cls()
        for path in paths:
            table.load(Path(path))
        return table

    def load(self, path: Path) -> None:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [part.strip() for part in line.split("\t")]
            if len(parts) != 3 or not all(parts):
                raise ValueError(
                    f"{path}:{number}: expected 'alias<TAB>canonical name<TAB>label', got {line!r}"
                )
            self.add(*parts)

    def add(self, alias: str, canonical: str, label: str) -> None:
        """An alias in capitals ("US", "WHO") matches that spelling only; others any case."""
        for name in (canonical, alias):
            key = name_key(name)
            if key.isupper():
                self.exact[key] = (canonical, label)
            else:
                self.folded[key.casefold()] = (canonical, label)

    def lookup(self, key: str) -> tuple[str, str] | None:
        return self.exact.get(key) or self.folded.get(key.casefold())


@functools.lru_cache(maxsize=8)
def load_aliases(paths: tuple[str, ...] = (str(ALIAS_FILE),)) -> AliasTable:
    return AliasTable.from_files(paths)
