"""A PolNeAR split on disk: `text/NAME.txt` and brat annotations `attributions/NAME_xxxx.ann`
(one file per annotator, the suffix a hex id). Both scorers and the attribution training
read their articles through `polnear_articles` and their gold through `parse_ann`; the
annotators' agreement with each other reads every annotation (`polnear_annotations`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from wirehouse.evaluation import BenchmarkUnreadable

_ANNOTATOR_SUFFIX = re.compile(r"_[0-9a-f]+$")
Span = tuple[int, int]
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*")
_POSSESSIVE = re.compile(r"['’]s$")  # "Trump’s campaign" names Trump
# Capitalised words in a Source span that do not name anyone.
_NOT_NAMES = {
    "The", "A", "An", "He", "She", "They", "It", "We", "I", "His", "Her", "Their", "Mr.", "Mrs.",
    "Ms.", "Dr.", "Sen.", "Rep.", "Gov.", "Gen.", "President", "Senator", "Governor", "Secretary",
    "Former", "Republican", "Democrat", "Democratic", "GOP", "Rev.", "Lt.", "Col.", "Jr.", "Sr.",
}


def polnear_annotations(polnear_dir: Path) -> list[tuple[str, Path, list[Path]]]:
    """(name, text file, every annotation file in name order) per article: most have one,
    16 of train's 840 and 2 of dev's 84 have five or six (`annotator_agreement`).
    A folder holding none, or whose annotations hold no attribution, is an error, not an
    empty split scored as zeros."""
    found: dict[str, list[Path]] = {}
    for ann in sorted((polnear_dir / "attributions").glob("*.ann")):
        name = _ANNOTATOR_SUFFIX.sub("", ann.stem)
        if (polnear_dir / "text" / f"{name}.txt").is_file():
            found.setdefault(name, []).append(ann)
    if not found:
        raise BenchmarkUnreadable(f"{polnear_dir} holds no PolNeAR article (text/NAME.txt beside "
                                  "attributions/NAME_<annotator>.ann)")
    # the first annotation read nearly always holds one: a check of a few milliseconds
    if not any(parse_ann(ann.read_text(encoding="utf-8")) for anns in found.values() for ann in anns):
        raise BenchmarkUnreadable(f"the annotations in {polnear_dir / 'attributions'} hold no attribution (brat "
                                  "event lines 'E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1')")
    return [(name, polnear_dir / "text" / f"{name}.txt", anns) for name, anns in sorted(found.items())]


def polnear_articles(polnear_dir: Path) -> list[tuple[str, Path, Path]]:
    """(name, text file, annotation file) per article. An article annotated by several
    annotators is scored against the first annotation in name order."""
    return [(name, text, anns[0]) for name, text, anns in polnear_annotations(polnear_dir)]


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution: each role's fragments, in text order (empty when absent)."""

    content: tuple[Span, ...]  # fragments, in order
    cue: tuple[Span, ...]
    source: tuple[Span, ...]

    def hull(self, role: str) -> Span | None:
        fragments = getattr(self, role)
        return (fragments[0][0], max(end for _, end in fragments)) if fragments else None


def parse_ann(ann_text: str) -> list[GoldAttribution]:
    """Every brat `E` line whose trigger is an Attribution. A role gathers the fragments of a
    discontinuous span ("Content 10 20;25 40") and of numbered arguments ("Content2": a
    second T line of the role, 18 of the 1,013 train and dev files have them)."""
    spans: dict[str, list[Span]] = {}
    events: list[list[str]] = []
    for line in ann_text.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2 and " " in fields[1]:
            _, offsets = fields[1].split(" ", 1)
            try:
                spans[fields[0]] = [tuple(map(int, part.split())) for part in offsets.split(";")]
            except ValueError:
                continue
        elif line.startswith("E") and len(fields) >= 2:
            events.append(fields[1].split())
    found = []
    for arguments in events:
        if not arguments or not arguments[0].startswith("Attribution"):
            continue
        roles: dict[str, list[Span]] = {"Content": [], "Cue": [], "Source": []}
        for argument in arguments[1:]:
            role, _, ref = argument.partition(":")
            role = role.rstrip("0123456789")
            if role in roles and ref in spans:
                roles[role].extend(spans[ref])
        found.append(GoldAttribution(tuple(sorted(roles["Content"])), tuple(sorted(roles["Cue"])),
                                     tuple(sorted(roles["Source"]))))
    return found


def source_names(text: str, fragments: Sequence[Span]) -> frozenset[str]:
    """Capitalised words of a gold Source that name someone ("Sen. Ted Cruz" -> Ted, Cruz).
    A word capitalised because it opens a sentence ("Experts said", "Politicians argue")
    names someone only if the article also capitalises it inside a sentence ("Trump said"
    does: "... said Trump")."""
    names = set()
    for start, end in fragments:
        for match in _NAME_WORD.finditer(text, start, end):
            if match.group() in _NOT_NAMES:
                continue
            name = _POSSESSIVE.sub("", match.group().strip(".,’'"))
            if _opens_sentence(text, match.start()) and not _capitalised_inside_a_sentence(text, name):
                continue
            names.add(name)
    return frozenset(names)


def names_the_source(canonical: str | None, names: frozenset[str]) -> bool:
    """A predicted canonical speaker is the gold Source when it shares a name word with it,
    or is what an acronym there stands for ("the F.B.I." and Federal Bureau of Investigation)."""
    if not canonical:
        return False
    words = {word.strip(".,’'") for word in canonical.split()}
    initials = "".join(word[0] for word in canonical.split() if word[0].isupper())
    if len(initials) >= 3:
        words.add(initials)
    return bool(words & (names | {name.replace(".", "") for name in names}))


_SENTENCE_OPENING = " \t\u00a0“\"‘'(["


def _opens_sentence(text: str, at: int) -> bool:
    k = at - 1
    while k >= 0 and text[k] in _SENTENCE_OPENING:
        k -= 1
    if k >= 0 and text[k] == ".":
        # "Sen. Ted Cruz", "J. Smith": an abbreviation or an initial ends no sentence
        start = k
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        word = text[start:k + 1]
        return not (word in _NOT_NAMES or (len(word) == 2 and word[0].isupper()))
    return k < 0 or text[k] in "\n!?" or (text[k] in "”’" and k > 0 and text[k - 1] in ".!?")


def _capitalised_inside_a_sentence(text: str, word: str) -> bool:
    return any(not _opens_sentence(text, match.start())
               for match in re.finditer(r"(?<![\w'’.-])" + re.escape(word) + r"(?![\w'’-])", text))
