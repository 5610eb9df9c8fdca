"""What a name is, decided across the warehouse: a person, an organisation, a place, a work.

spaCy labels each mention on its own, and the small model is wrong the same way in every
article (Yukos, Oscar and "Lib Dems" are PERSON wherever they appear), so a majority vote
cannot fix it. The label of a name is decided from all its mentions' votes plus the cues
around them: honorifics and titles say person; a determiner before the name ("the Lib
Dems"), an organisation word after it ("Yukos boss", "Labour party"), a work word ("Harry
Potter film", "Oscar-winning") or "which" say something else.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from wirehouse.transforms.lexicon import HONORIFIC_GENDER
from wirehouse.transforms.person_names import HONORIFIC_BEFORE, fold

DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "every", "each"}
# Words after a name that make the name an organisation, place or work rather than a person
# ("Yukos boss", "Lib Dem leader", "Labour party", "Oscar-winning", "Harry Potter film").
ORG_FOLLOWERS = {
    "boss", "bosses", "chief", "chiefs", "leader", "leaders", "spokesman", "spokeswoman", "spokesperson",
    "chairman", "executive", "executives", "director", "manager", "shareholders", "shares", "party",
    "parties", "government", "firm", "company", "group", "mp", "mps", "peer", "peers", "candidate",
    "candidates", "supporters", "fans", "club", "side", "squad", "team", "striker", "midfielder",
    "defender", "keeper", "goalkeeper", "player", "players", "plc", "inc", "ltd", "corp", "bank",
    "voters", "members", "member", "policy", "policies", "manifesto", "conference", "campaign",
    "headquarters", "staff", "board", "unit", "subsidiary", "division", "stake", "assets", "bid",
    "spokesmen", "officials", "ministers", "council", "councillor", "councillors", "activists",
}
WORK_FOLLOWERS = {"film", "films", "movie", "movies", "star", "stars", "books", "book", "series", "author", "sequel",
                   "franchise", "nominee", "nominees", "nomination", "nominations", "ceremony", "award", "awards",
                   "winner", "winners", "-winning", "winning", "game", "games", "programme", "show"}
PRODUCT_FOLLOWERS = {"software", "program", "programs", "system", "systems", "virus", "viruses", "version", "versions",
                      "users", "machines", "pcs", "computers", "console", "consoles", "browser", "update", "updates",
                      "platform", "device", "devices", "phone", "phones", "handset", "handsets", "chip", "chips"}
PLACE_PREPS = {"in", "at", "from", "near", "across", "to", "into", "outside", "around", "throughout", "visit", "visited"}
ORG_SUFFIX_WORDS = {"united", "city", "fc", "rovers", "athletic", "plc", "inc", "ltd", "corp", "group", "party",
                     "association", "council", "committee", "bank", "holdings", "partners", "foundation",
                     "institute", "university", "college", "agency", "commission", "society", "trust"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
# compiled once: label_cues runs for every name cluster of every batch (35,105 on BBC)
_FOLLOW_WORD = re.compile(r"\s*(-winning|['’]s\s+[A-Za-z]+|[A-Za-z]+)")
_ACRONYM_POSSESSIVE_BEFORE = re.compile(r"\b[A-Z]{2,}\w*(?:\s+[A-Z]\w*)?['’]s\s+(?:new\s+|latest\s+)?$")
_WHO_AFTER = re.compile(r"\s*(?:,\s*)?(?:who|whose)\b")
_WHICH_AFTER = re.compile(r"\s*(?:,\s*)?which\b")
_POSSESSIVE_AFTER = re.compile(r"['’]s\b", re.IGNORECASE)


def _follow_word(after: str) -> str:
    m = _FOLLOW_WORD.match(after)
    if not m:
        return ""
    word = m.group(1)
    if word.startswith(("'", "’")):
        return ""
    return word.casefold()


def _prev_word(before: str) -> str:
    words = _WORD.findall(before[-16:])
    return words[-1] if words else ""


def label_cues(cluster: Any) -> Counter:
    """Local evidence about what a name is, from the text around each mention."""
    cues = Counter()
    for m in cluster.mentions:
        prev = _prev_word(m.before)
        nxt = _follow_word(m.after)
        if HONORIFIC_BEFORE.search(m.before) or any(w.rstrip(".").casefold() in HONORIFIC_GENDER for w in m.text.split()[:-1]):
            cues["honorific"] += 1
        if m.role:
            cues["title"] += 1
        if prev in DETERMINERS or m.text.split()[0].casefold() in DETERMINERS:
            cues["determiner"] += 1
        if nxt in ORG_FOLLOWERS:
            cues["org_follower"] += 1
        if nxt in WORK_FOLLOWERS or m.after.startswith("-winning"):
            cues["work_follower"] += 1
        if nxt in PRODUCT_FOLLOWERS:
            cues["product_follower"] += 1
        if _ACRONYM_POSSESSIVE_BEFORE.search(m.before):
            cues["org_possessive"] += 1  # "BBC One's Breakfast", "ITV's ...": an acronym's possession
        if prev.casefold() in PLACE_PREPS:
            cues["place_prep"] += 1
        if _WHO_AFTER.match(m.after):
            cues["who"] += 1
        if _WHICH_AFTER.match(m.after):
            cues["which"] += 1
    words = [fold(w) for w in cluster.canonical_name.split()]
    if words and words[-1] in ORG_SUFFIX_WORDS:
        cues["org_suffix"] += len(cluster.mentions)
    # an article that names it only as "Wendy's restaurants", "McDonald's" with the "'s" left
    # out of spaCy's span: the name may be its possessive form (identity.py). "possessive_read"
    # counts the articles read for it (a warehouse built before this cue has none)
    cues["possessive_read"] += 1
    if cluster.mentions and all(_POSSESSIVE_AFTER.match(m.after) for m in cluster.mentions):
        cues["possessive_after"] += 1
    return cues


def decide_label(votes: Counter, cues: Counter, full_name: bool = False, known_surname: bool = False,
                 norp_like: bool = False) -> str:
    """The warehouse label of a name: article votes, overridden by cues seen across the warehouse.

    Person evidence: honorifics, titles, "who". Non-person evidence: a determiner before the name
    ("the Lib Dems", "an Oscar"), an organisation word after it ("Yukos boss", "Labour party"), a
    work word ("Harry Potter film", "Oscar-winning"), "which", an organisation suffix ("United").
    `full_name`: the name starts with a word the warehouse uses as a first name of several people
    ("Mark Cueto"): a person named in full stays PERSON unless non-person cues are overwhelming."""
    if not votes:
        return "ORG"
    person = cues["honorific"] * 2 + cues["title"] * 2 + cues["who"]
    det = cues["determiner"] * (0.25 if full_name else 1.0)
    org = cues["org_follower"] + cues["org_suffix"] + cues["which"]
    work = cues["work_follower"]
    nonperson = det + org + work
    top = max(votes, key=lambda k: (votes[k], k))
    others = Counter({k: v for k, v in votes.items() if k != "PERSON"})
    if top == "PERSON" or (full_name and votes.get("PERSON", 0) >= 0.5 * votes[top] and nonperson < 5):
        strong = nonperson >= 5 and nonperson > 3 * (person + 1) if full_name else (nonperson >= 2 and nonperson > 2 * person)
        if not strong:
            return "PERSON"
        if others and sum(others.values()) >= 0.3 * votes.get("PERSON", 0):
            return max(others, key=lambda k: (others[k], k))
        if norp_like:
            return "NORP"  # "Briton", "Scot", "Welshman"
        return "WORK_OF_ART" if work > org + det else "ORG"
    if person >= 2 and person > 2 * nonperson and votes.get("PERSON", 0) > 0:
        return "PERSON"
    if top in ("LOC", "GPE", "FAC"):
        made = cues["product_follower"] + cues["org_possessive"] + work
        if made >= 3 and made > 2 * cues["place_prep"]:
            # "Microsoft's Windows", "Windows software", "BBC One's Breakfast": made, not a place
            return "PRODUCT" if cues["product_follower"] > work else "WORK_OF_ART"
    if known_surname and nonperson == 0 and top in ("PRODUCT", "WORK_OF_ART", "ORG", "FAC", "EVENT"):
        return "PERSON"  # "Cole" tagged PRODUCT in line-ups: a surname of known people, no organisation cue
    return top
