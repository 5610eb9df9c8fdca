"""How names are compared: the matching key of a name, its words, its surname.

Pure string functions shared by the alias table and the entity resolver.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from wirehouse.transforms.lexicon import TITLE_ABBREVIATIONS

# Words that end a person's name without being its surname ("Martin Luther King Jr.").
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
# Labels whose names may end in "'s" ("Moody's", "McDonald's"): the resolver never cuts a
# possessive off them, the warehouse joins such a form to its stem once it knows both.
POSSESSIVE_NAMES = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})
DETERMINERS = frozenset({"the", "a", "an"})

_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_TITLE_NOISE = re.compile(r"^(?:the|a|an|his|her|their|its)\s+", re.IGNORECASE)


def name_key(text: str, possessive: bool = True) -> str:
    """The form of a name used for matching: whitespace folded, no leading "the", no possessive."""
    key = " ".join(text.split())
    stripped = _LEADING_THE.sub("", key)
    key = stripped or key
    if possessive:
        stripped = _POSSESSIVE.sub("", key).rstrip()
        key = stripped or key
    return key


def group_singular(name: str) -> str:
    """A group of people named in the plural, as one of them: "Democrats" -> "Democrat",
    "Tories" -> "Tory", "Frenchmen" -> "Frenchman". Only the last word changes, and only one
    of four letters or more that is no "-ss" word ("Swiss"). Whether the singular is a group
    too is for the warehouse to say (identity.py)."""
    head, _, last = name.rpartition(" ")
    lower = last.lower()
    if len(last) < 4 or lower.endswith("ss"):
        return name
    if lower.endswith("men"):
        last = last[:-3] + ("MAN" if last.isupper() else "man")
    elif lower.endswith("ies"):
        last = last[:-3] + ("Y" if last.isupper() else "y")
    elif lower.endswith("s"):
        last = last[:-1]
    else:
        return name
    return f"{head} {last}" if head else last


def possessive_stem(name: str) -> str:
    """A name without the possessive it was tagged with: "Deutsche Boerse's" -> "Deutsche
    Boerse", "All Blacks'" -> "All Blacks". Whether the stem names the same thing is for the
    warehouse to say (identity.py)."""
    return _POSSESSIVE.sub("", name).rstrip() or name


def possessive_forms(name: str) -> list[str]:
    """The forms `possessive_stem` takes to this name."""
    forms = [name + "'s", name + "’s"] + ([name + "'", name + "’"] if name.endswith("s") else [])
    return [form for form in forms if possessive_stem(form) == name]


def join_target(name: str, label: str) -> str:
    """The name whose entity a name joins once the warehouse knows both (identity.py's
    `joined_name` decides when): a group named in the plural its singular's, a possessive
    form its stem's."""
    if label == "NORP":
        return group_singular(name)
    return possessive_stem(name) if label in POSSESSIVE_NAMES else name


def group_plurals(name: str) -> list[str]:
    """The plurals `group_singular` takes to this name."""
    forms = [name + "s"]
    if name.endswith("y"):
        forms.append(name[:-1] + "ies")
    if name.endswith("man"):
        forms.append(name[:-3] + "men")
    return [form for form in forms if group_singular(form) == name]


def name_words(key: str) -> tuple[str, ...]:
    return tuple(key.casefold().split())


def surname(words: tuple[str, ...]) -> str:
    core = [word for word in words if word not in NAME_SUFFIXES] or list(words)
    return core[-1]


def is_full_name(words: tuple[str, ...]) -> bool:
    """Two or more words besides suffixes: a first name and a surname at least."""
    return len([word for word in words if word not in NAME_SUFFIXES]) >= 2


def is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """The words of `short` appear in `long` in the same order ("George Bush" in "George W. Bush")."""
    position = 0
    for word in short:
        try:
            position = long.index(word, position) + 1
        except ValueError:
            return False
    return True


def contiguous_in(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    size = len(short)
    return any(long[i : i + size] == short for i in range(len(long) - size + 1))


def fix_caps(name: str, label: str) -> str:
    """'NAIROBI' -> 'Nairobi' for names set in capitals (headlines); acronyms stay."""
    if label in ("ORG", "PRODUCT", "WORK_OF_ART", "LAW", "EVENT") or not name.isupper():
        return name
    if not any(len(word) >= 4 and word.isalpha() for word in name.split()):
        return name
    return " ".join(word.capitalize() for word in name.split(" "))


def best_form(forms: Iterable[str]) -> str:
    """The most frequent spelling, preferring mixed case to capitals, then the first seen."""
    forms = list(forms)
    mixed = [form for form in forms if not form.isupper()] or forms
    counts = Counter(mixed)
    return max(mixed, key=lambda form: (counts[form], -mixed.index(form)))


def title_words(text: str) -> tuple[str, ...]:
    """A title as comparable words, abbreviations written out: "the Prime Minister's" ->
    ("prime", "minister"), "Sen." -> ("senator",)."""
    text = _POSSESSIVE.sub("", " ".join(text.split()))
    text = _TITLE_NOISE.sub("", text)
    words = (word.strip(",.;:").casefold() for word in text.split())
    return tuple(TITLE_ABBREVIATIONS.get(word, word) for word in words if word)
