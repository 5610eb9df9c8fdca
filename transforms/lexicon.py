"""The words of titles and honorifics, in one place for every component that reads them.

The title scanner marks titles of office with them ("Foreign Minister", "Secretary of
State"), the entity resolver turns those titles into roles, and the speaker finder
resolves "the minister said" to the person holding the title.
"""

from __future__ import annotations

# A title is: modifiers* head ["general"] | modifiers* head ("of"|"for") ["the"] department+
TITLE_HEADS = (
    "minister", "secretary", "president", "vice-president", "premier", "chancellor", "adviser",
    "advisor", "director", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
    "senator", "sen.", "governor", "gov.", "mayor", "chairman", "chairwoman", "chairperson",
    "commissioner", "general", "gen.", "lieutenant", "lt.", "colonel", "col.", "captain", "capt.",
    "admiral", "adm.", "sergeant", "sgt.", "rep.", "representative", "congressman",
    "congresswoman", "sheriff", "prosecutor", "attorney", "justice", "judge", "chief",
    "executive", "officer", "leader", "manager", "coach", "boss", "secretary-general",
)
# The abbreviated heads above, as the word a later description uses: "Sen. Marco Rubio" is
# "the Florida senator", "Gov. Chris Christie" "the New Jersey governor".
TITLE_ABBREVIATIONS = {"sen": "senator", "gov": "governor", "gen": "general", "lt": "lieutenant",
                       "col": "colonel", "capt": "captain", "adm": "admiral", "sgt": "sergeant",
                       "rep": "representative"}
# Offices a country has many holders of, one per state or district: "the Florida senator" is
# someone the article names with Florida, not the one senator it names, while "the former
# France manager" is the one manager named.
LOCAL_OFFICES = frozenset({"senator", "governor", "representative", "congressman", "congresswoman", "mayor",
                           "lawmaker"})
# Words that make a title another office than the one it ends with: "the home secretary" is no
# shadow home secretary, "the president" no vice president
OTHER_OFFICE_WORDS = frozenset({"shadow", "deputy", "vice", "assistant", "acting", "associate", "junior",
                                "lieutenant"})
# A nation's names, which qualify a local office without placing it ("the US senator")
NATIONS = frozenset({"us", "u.s.", "u.s", "america", "united states", "the united states", "uk", "u.k.", "britain",
                     "great britain", "united kingdom", "the united kingdom"})
TITLE_MODIFIERS = (
    "prime", "foreign", "defense", "defence", "finance", "interior", "home", "deputy", "vice",
    "assistant", "associate", "chief", "acting", "junior", "senior", "shadow", "national",
    "security", "trade", "health", "education", "culture", "justice", "environment", "energy",
    "economy", "economic", "agriculture", "transport", "transportation", "labor", "labour",
    "treasury", "executive", "operating", "financial", "first", "state", "commerce", "industry",
    "sports", "sport", "information", "communications", "housing", "development",
    "international", "attorney", "press", "cabinet", "opposition", "majority", "minority",
    "party", "police", "army", "military", "managing", "general", "special", "presidential",
    "former", "then", "-",
)
TITLE_DEPARTMENTS = (
    "state", "defense", "defence", "treasury", "commerce", "energy", "interior", "health",
    "labor", "labour", "education", "agriculture", "transportation", "transport", "justice",
    "finance", "foreign", "affairs", "homeland", "security", "veterans", "housing", "culture",
    "trade", "industry", "environment", "economy", "home", "war", "navy", "army", "europe",
    "human", "services", "urban", "development", "and", "&",
)
# Honorifics, and the gender each speaks of (None: any). "Mrs Howard" is not Michael Howard.
HONORIFIC_GENDER = {
    "mr": "m", "messrs": "m", "sir": "m", "lord": "m", "mrs": "f", "ms": "f", "miss": "f", "lady": "f", "dame": "f",
    "baroness": "f", "mx": None, "dr": None, "prof": None, "professor": None,
}
# As written, with or without a full stop ("Mr", "Mr.").
HONORIFICS = tuple(form for word in HONORIFIC_GENDER for form in (word, word + "."))

# Nouns that name a person by what they do without heading a title of office in front of
# a name: the speaker finder resolves "the nominee said" like "the minister said".
ROLE_NOUNS = (
    "aide", "candidate", "chair", "king", "lawmaker", "nominee", "official", "pope", "queen", "speaker",
    "strategist", "provost", "advocate", "bishop", "archbishop",
)
# A subject headed by one of these is a person named by role or title ("a spokesman", "the Prime Minister").
PERSON_ROLE_NOUNS = frozenset(TITLE_HEADS) | frozenset(ROLE_NOUNS)
