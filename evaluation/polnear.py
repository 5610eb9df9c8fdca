"""A PolNeAR split on disk: `text/NAME.txt` and brat annotations `attributions/NAME_xxxx.ann`
(one file per annotator, the suffix a hex id). Both scorers and the attribution training
read their articles through `polnear_articles`."""

from __future__ import annotations

import re
from pathlib import Path

_ANNOTATOR_SUFFIX = re.compile(r"_[0-9a-f]+$")


def polnear_articles(polnear_dir: Path) -> list[tuple[str, Path, Path]]:
    """(name, text file, annotation file) per article. An article annotated by several
    annotators (agreement checks) is scored against the first annotation in name order."""
    chosen: dict[str, Path] = {}
    for ann in sorted((polnear_dir / "attributions").glob("*.ann")):
        name = _ANNOTATOR_SUFFIX.sub("", ann.stem)
        if (polnear_dir / "text" / f"{name}.txt").is_file():
            chosen.setdefault(name, ann)
    return [(name, polnear_dir / "text" / f"{name}.txt", ann) for name, ann in sorted(chosen.items())]
