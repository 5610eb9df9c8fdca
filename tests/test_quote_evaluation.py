"""The quote scorer: gold parsing, overlap, one-to-one matching and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wirehouse.evaluation.quotes import (
    GoldQuote,
    PredQuote,
    gold_direct_quotes,
    match,
    overlap,
    quoted_segments,
    render,
    score_article,
    summarize,
)
from wirehouse.evaluation.polnear import GoldAttribution, parse_ann, polnear_articles
from tests.conftest import polnear_subset

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "corpora" / "polnear" / "data" / "dev"
needs_polnear = pytest.mark.skipif(not DEV.is_dir(), reason=f"PolNeAR dev split not found at {DEV}")

# Three short dev articles whose gold direct quotes were counted by hand.
HAND_COUNTED = {
    "breitbart_2016-09-28_mary-j-blige-sings-to-hillary-cl": [
        ("Promise mama you’ll keep your hands in sight,", "Blige"),
        ("I just want to know, where do we go from here?", "Blige"),
        ("American Skin (41 Shots)", "Springsteen"),
    ],
    "breitbart_2016-09-21_only-percent-of-hillary-clinton-": [
        ("In an illustration of the lack of enthusiasm … give rank-and-file Democrats pause.", "The New York Times"),
    ],
    "breitbart_2016-09-15_pat-caddell-democrat-voters-worr": [
        ("One of the things I am surprised about … or seems to be affecting it,", "Caddell"),
        ("Yesterday, there were two polls. Morning Consult and Rasmussen had very similar numbers.", "Caddell"),
        ("The health issue overall is very much a partisan issue, … forty-six, no.", "Caddell"),
        ("This is in their heads. This is in their consciousness,", "Caddell"),
        ("It is one of the things worrying them. … Democratic groups, too – and that can be deadly.", "Caddell"),
    ],
}


def same_quote(found: str, expected: str) -> bool:
    """Expected texts may elide their middle with " … "."""
    head, _, tail = expected.partition(" … ")
    return found == expected or (bool(tail) and found.startswith(head) and found.endswith(tail))


# ---------------------------------------------------------------- pure functions


def test_parse_ann_reads_discontinuous_spans_numbered_roles_and_missing_sources():
    ann = (
        "T1\tSource 0 5\tBlige\n"
        "T2\tCue 6 11\tsings\n"
        "T3\tContent 25 40;12 20\t...\n"
        "T4\tAttribution 6 11\tsings\n"
        "T7\tContent 42 48\t...\n"
        "E1\tAttribution:T4 Content:T3 Content2:T7 Cue:T2 Source:T1\n"
        "T5\tContent 50 60\t...\n"
        "E2\tAttribution-no-source:T6 Content:T5\n"
    )
    assert parse_ann(ann) == [
        GoldAttribution(content=((12, 20), (25, 40), (42, 48)), cue=((6, 11),), source=((0, 5),)),
        GoldAttribution(content=((50, 60),), cue=(), source=()),
    ]


def test_quoted_segments_mixed_marks_nested_and_reopened_paragraphs():
    text = '"I spoke with him,” he wrote. "He said “no” twice.\n\n"Then he left."'
    assert [text[a:b] for a, b in quoted_segments(text, (0, len(text)))] == [
        "I spoke with him,",
        'He said “no” twice.\n\n"Then he left.',
    ]


def test_quoted_segments_opened_and_closed_by_two_apostrophes():
    # PolNeAR's New York Times articles write '' for both marks, and reopen a paragraph with it
    text = "''We finally may see wage growth,'' he said.\n\n''It is a big story.\n\n''It sticks.''"
    assert [text[a:b] for a, b in quoted_segments(text, (0, len(text)))] == [
        "We finally may see wage growth,",
        "It is a big story.\n\n''It sticks.",
    ]


def test_gold_direct_quote_needs_mostly_quoted_content():
    text = "Clinton called half of Donald Trump’s supporters “deplorables.” He said “We will win this race.”"
    scare = GoldAttribution(content=((15, text.index("” He") + 1),), cue=(), source=((0, 7),))
    direct = GoldAttribution(content=((text.index("“We"), len(text)),), cue=(),
                             source=((text.index("He"), text.index("He") + 2),))
    [gold] = gold_direct_quotes(text, [scare, direct])
    assert text[gold.start_char : gold.end_char] == "We will win this race." and gold.source_text == "He"


def test_interrupted_quote_gives_one_gold_segment_per_piece():
    text = "“This is in their heads,” said Caddell. “It is one of the things worrying them.”"
    content = GoldAttribution(content=((0, 25), (39, len(text))), cue=(), source=((31, 38),))
    assert [text[q.start_char : q.end_char] for q in gold_direct_quotes(text, [content])] == [
        "This is in their heads,", "It is one of the things worrying them.",
    ]


def test_overlap_is_measured_against_the_gold_span():
    assert overlap((0, 10), (0, 10)) == 1.0
    assert overlap((0, 5), (0, 10)) == 0.5
    assert overlap((0, 100), (0, 10)) == 1.0  # a longer prediction covers the gold span
    assert overlap((20, 30), (0, 10)) == 0.0


def test_matching_is_one_to_one_and_takes_the_best_overlap():
    gold = [(0, 10), (20, 30)]
    assert match(gold, [(0, 30)], 0.3) == [(0, 0)]  # one prediction cannot match two gold quotes
    assert match(gold, [(0, 4), (0, 9)], 0.3) == [(0, 1)]
    assert match(gold, [(0, 5), (21, 30)], 0.8) == [(1, 1)]


def test_score_and_summary_on_hand_made_quotes():
    gold = [
        GoldQuote(0, 100, ((200, 207),), "Bennett", frozenset({"Bennett"})),
        GoldQuote(300, 400, ((500, 502),), "he"),
        GoldQuote(600, 700, (), ""),
    ]
    pred = [
        PredQuote(0, 100, (200, 207), "Naftali Bennett", "cue_subject"),  # exact, right speaker
        PredQuote(300, 350, (450, 460), None, "pronoun"),  # half the gold span: matches at 30%, not 80%; wrong speaker
        PredQuote(800, 900, None, None),  # no gold quote there
    ]
    counts = score_article(gold, pred)
    assert counts["tp_30"] == 2 and counts["tp_80"] == 1
    report = summarize(counts)
    assert report["quote_p"] == pytest.approx(2 / 3) and report["quote_r"] == pytest.approx(2 / 3)
    assert report["quote_f1_80"] == pytest.approx(1 / 3)
    assert report["speaker_accuracy"] == 0.5 and report["speaker_n"] == 2
    assert report["canonical_accuracy"] == 1.0 and report["canonical_n"] == 1
    assert report["speaker_by_method"] == {"cue_subject": {"n": 1, "accuracy": 1.0},
                                           "pronoun": {"n": 1, "accuracy": 0.0}}
    assert "    pronoun              0.000  (1)" in render({**report, "n_articles": 1})
    last = json.loads(render({**report, "n_articles": 1}).splitlines()[-1])
    assert set(last) == {"quote_p", "quote_r", "quote_f1", "quote_f1_80", "speaker_accuracy", "n_gold", "n_pred"}
    assert last["n_gold"] == 3 and last["n_pred"] == 3


# ---------------------------------------------------------------- real dev articles


@needs_polnear
def test_gold_quotes_of_dev_articles_match_the_hand_count():
    articles = {name: (text, ann) for name, text, ann in polnear_articles(DEV)}
    for name, expected in HAND_COUNTED.items():
        text_path, ann_path = articles[name]
        text = text_path.read_text(encoding="utf-8")
        gold = gold_direct_quotes(text, parse_ann(ann_path.read_text(encoding="utf-8")))
        found = [(text[q.start_char : q.end_char], q.source_text) for q in gold]
        assert len(found) == len(expected), name
        for (quote, source), (want_quote, want_source) in zip(found, expected):
            assert same_quote(quote, want_quote) and source == want_source


@needs_polnear
@pytest.mark.corpus
def test_evaluate_on_dev_articles(tmp_path):
    from wirehouse.evaluation.quotes import evaluate

    report = evaluate(polnear_subset(DEV, HAND_COUNTED, tmp_path))
    # Hand count: 9 gold segments. The pipeline finds 8 of them as direct quotes and
    # flags the song title “American Skin (41 Shots)” as partial; every matched quote
    # has its gold speaker ("Blige", "The New York Times", "Caddell").
    assert (report["n_gold"], report["n_pred"]) == (9, 8)
    assert report["quote_p"] == 1.0 and report["quote_r"] == pytest.approx(8 / 9)
    assert report["quote_f1_80"] == pytest.approx(16 / 17)
    assert report["speaker_accuracy"] == 1.0
    assert json.loads(render(report).splitlines()[-1])["n_gold"] == 9
