"""The words that introduce what someone said: cue verbs and the pronouns that name speakers.

Matched on the inflected form: the pipeline runs without a lemmatizer.
"""

from __future__ import annotations


def _forms(*stems: str) -> set[str]:
    """Every inflected form written out, "say said says saying" -> four entries."""
    return {form for stem in stems for form in stem.split()}


CUE_VERBS = _forms(
    "say said says saying", "tell told tells telling", "write wrote writes writing written",
    "add added adds adding", "urge urged urges urging", "warn warned warns warning",
    "tweet tweeted tweets tweeting", "explain explained explains explaining",
    "insist insisted insists insisting", "claim claimed claims claiming", "ask asked asks asking",
    "note noted notes noting", "argue argued argues arguing", "declare declared declares declaring",
    "acknowledge acknowledged acknowledges acknowledging", "announce announced announces announcing",
    "state stated states stating", "continue continued continues continuing",
    "recall recalled recalls recalling", "remark remarked remarks remarking",
    "reply replied replies replying", "respond responded responds responding",
    "answer answered answers answering", "admit admitted admits admitting",
    "assert asserted asserts asserting", "concede conceded concedes conceding",
    "confirm confirmed confirms confirming", "predict predicted predicts predicting",
    "promise promised promises promising", "vow vowed vows vowing", "suggest suggested suggests suggesting",
    "observe observed observes observing", "quip quipped quips quipping", "joke joked jokes joking",
    "boast boasted boasts boasting", "complain complained complains complaining",
    "contend contended contends contending", "recount recounted recounts recounting",
    "reiterate reiterated reiterates reiterating", "emphasize emphasized emphasizes emphasizing",
    "stress stressed stresses stressing", "testify testified testifies testifying",
    "shout shouted shouts shouting", "yell yelled yells yelling", "exclaim exclaimed exclaims exclaiming",
    "post posted posts posting", "read reads", "mention mentioned mentions mentioning",
    "report reported reports reporting", "counter countered counters countering",
    "retort retorted retorts retorting", "lament lamented laments lamenting",
    "conclude concluded concludes concluding", "wonder wondered wonders wondering",
    "muse mused muses musing", "thunder thundered thunders thundering", "chant chanted chants chanting",
    "proclaim proclaimed proclaims proclaiming", "pledge pledged pledges pledging",
    "brag bragged brags bragging", "scoff scoffed scoffs scoffing", "sigh sighed sighs sighing",
    "begin began begins beginning", "describe described describes describing",
    "speak spoke speaks speaking", "call called calls calling",
)
PERSON_PRONOUNS = {"he", "she", "him", "her"}
GROUP_PRONOUNS = {"they", "we", "it"}
SPEAKER_PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS | {"i"}
