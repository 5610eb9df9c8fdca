"""A scorer's progress on a terminal. `make evaluate` parses every article through the
real pipeline (about 45 s for PolNeAR dev, 2 minutes for train) and would otherwise be
silent until its table appears."""

from __future__ import annotations

import sys
from typing import IO, Iterable, Iterator, TypeVar

Item = TypeVar("Item")


def scoring(items: Iterable[Item], total: int, what: str, stream: IO[str] | None = None) -> Iterator[Item]:
    """`items`, unchanged, with a bar on stderr while they are scored when stderr is a
    terminal; nothing is written otherwise (the report on stdout and CI logs stay clean),
    and the bar is cleared once done."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(items, description=what, total=total, console=Console(file=stream), transient=True)
