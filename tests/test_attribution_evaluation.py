"""The attribution scorer: gold parsing, exact and overlap matching, type recall, and the
real pipeline scored on a few PolNeAR dev articles."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wirehouse.evaluation import BenchmarkUnreadable
from wirehouse.evaluation.attributions import (
    annotator_agreement,
    gold_type,
    quoted_mask,
    render,
    render_agreement,
    score_article,
    summarize,
)
from wirehouse.evaluation.polnear import names_the_source, parse_ann, source_names
from tests.conftest import polnear_subset, shared_path


TEXT = 'Mr Brown said the economy would grow. "We are ready," he added. "Fully ready."'
ANN = "\n".join([
    "T1\tSource 0 8\tMr Brown",
    "T2\tCue 9 13\tsaid",
    "T3\tContent 14 36\tthe economy would grow",
    "T4\tAttribution 9 13\tsaid",
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    "T5\tContent 39 51;65 76\tWe are ready Fully ready",
    "T6\tSource 54 56\the",
    "T7\tCue 57 62\tadded",
    "T8\tAttribution 57 62\tadded",
    "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6",
])


def test_gold_roles_are_hulls_of_their_fragments():
    first, second = parse_ann(ANN)
    assert (first.hull("content"), first.hull("cue"), first.hull("source")) == ((14, 36), (9, 13), (0, 8))
    assert second.content == ((39, 51), (65, 76)) and second.hull("content") == (39, 76)


def test_gold_type_counts_only_the_quoted_fragments():
    inside = quoted_mask(TEXT)
    first, second = parse_ann(ANN)
    assert gold_type(TEXT, first.content, inside) == "indirect"
    assert gold_type(TEXT, second.content, inside) == "direct"  # "he added" between them is no content
    assert gold_type('He called it "a disaster".', [(10, 25)], quoted_mask('He called it "a disaster".')) == "mixed"


def test_exact_match_ignores_quote_marks_and_edge_punctuation_but_not_words():
    gold = parse_ann(ANN)
    predicted = [
        {"content": (14, 37), "cue": (9, 13), "source": (3, 8)},  # content with its full stop; "Brown" only
        {"content": (38, 78), "cue": (57, 62), "source": (54, 56)},  # the quotation with its marks
    ]
    report = summarize(score_article(TEXT, gold, predicted))
    assert (report["content"]["tp"], report["cue"]["tp"], report["source"]["tp"]) == (2, 2, 1)
    assert report["source"]["precision"] == 0.5 and report["content"]["f1"] == 1.0
    assert report["types"]["direct"]["recall"] == 1.0 and report["types"]["indirect"]["recall"] == 1.0
    # as annotated, character for character: the full stop and the marks are not in this gold
    assert [report[role]["as_annotated_f1"] for role in ("content", "cue", "source")] == [0.0, 1.0, 0.5]
    as_annotated = summarize(score_article(TEXT, gold, [{"content": (14, 36), "cue": (9, 13), "source": (0, 8)}]))
    assert as_annotated["content"]["as_annotated_f1"] == pytest.approx(2 / 3)  # 1 of 1 predicted, 1 of 2 gold


def test_overlap_shares_characters_one_to_one_and_recall_needs_half_the_content():
    gold = parse_ann(ANN)
    predicted = [{"content": (26, 36), "cue": None, "source": None}]  # "would grow": 10 of 22 characters
    report = summarize(score_article(TEXT, gold, predicted))
    assert report["overlap"]["precision"] == 1.0
    assert report["overlap"]["recall"] == pytest.approx(10 / (22 + 37))
    assert report["types"]["indirect"]["recall"] == 0.0  # under half of the gold content
    assert report["cue"]["predicted"] == 0 and report["cue"]["gold"] == 2


def test_precision_by_confidence_counts_the_rows_each_cut_keeps():
    gold = parse_ann(ANN)
    predicted = [
        {"content": (14, 36), "cue": (9, 13), "source": (0, 8), "confidence": 0.95},    # the reported speech
        {"content": (57, 62), "cue": None, "source": None, "confidence": 0.6},          # "added": far under half of the quotation
        {"content": (26, 36), "cue": None, "source": None, "confidence": 0.8},          # a second claim on it: unmatched
    ]
    bands = {band["min_confidence"]: band for band in summarize(score_article(TEXT, gold, predicted))["by_confidence"]}
    assert (bands[0.0]["rows"], bands[0.0]["precision"]) == (3, pytest.approx(1 / 3))
    assert (bands[0.7]["rows"], bands[0.7]["share"], bands[0.7]["precision"]) == (2, pytest.approx(2 / 3), 0.5)
    assert (bands[0.9]["rows"], bands[0.9]["precision"]) == (1, 1.0)
    assert "confidence >= 0.9       1 rows ( 33%)  precision 1.000" in render(summarize(score_article(TEXT, gold, predicted)))


def test_who_an_attribution_is_from_is_scored_on_the_recalled_ones():
    gold = parse_ann(ANN)
    predicted = [
        # "Mr Brown" found as "Brown" and resolved to the person it names
        {"content": (14, 36), "cue": (9, 13), "source": (3, 8), "speaker": "Gordon Brown"},
        # "he" found, but resolved to someone else: names no one in the gold, so only the mention counts
        {"content": (39, 76), "cue": (57, 62), "source": (54, 56), "speaker": "Tony Blair"},
    ]
    report = summarize(score_article(TEXT, gold, predicted))
    assert (report["source_n"], report["source_accuracy"]) == (2, 1.0)
    assert (report["speaker_n"], report["speaker_accuracy"]) == (1, 1.0)
    assert report["types"]["indirect"]["speaker_accuracy"] == 1.0 and report["types"]["direct"]["speaker_n"] == 0
    wrong = [dict(predicted[0], speaker="Tony Blair", source=(0, 2)), dict(predicted[1], source=(63, 64))]
    report = summarize(score_article(TEXT, gold, wrong))
    assert (report["source_accuracy"], report["speaker_accuracy"]) == (0.5, 0.0)  # "Mr" still overlaps "Mr Brown"
    # an attribution not recalled says nothing about its speaker
    report = summarize(score_article(TEXT, gold, [{"content": (57, 62), "source": (54, 56), "speaker": "X"}]))
    assert report["source_n"] == 0 and report["speaker_n"] == 0
    rendered = render(summarize(score_article(TEXT, gold, predicted)))
    assert "indirect source 1.000 (   1)  speaker 1.000 (   1)" in rendered


def test_a_source_names_someone_by_a_capitalised_word_that_does_not_only_open_a_sentence():
    text = ("Experts said it would fail. Trump said it would not. \u201cPoliticians lie,\u201d said Trump. "
            "Sen. Ted Cruz agreed. Trump\u2019s campaign disagreed.")
    def names(phrase):
        start = text.index(phrase)
        return source_names(text, [(start, start + len(phrase))])
    assert names("Experts") == frozenset()  # capitalised only where a sentence opens
    assert names("Trump said") == {"Trump"}  # also "... said Trump" inside a sentence
    assert names("Sen. Ted Cruz") == {"Ted", "Cruz"}  # a title names no one
    assert names("Trump’s campaign") == {"Trump"}  # a possessive names its owner
    assert names_the_source("Ted Cruz", names("Sen. Ted Cruz")) and not names_the_source(None, names("Trump said"))
    assert names_the_source("Federal Bureau of Investigation", frozenset({"F.B.I"}))  # an acronym of the name
    assert not names_the_source("Donald Trump", frozenset({"DT"}))  # two initials make no acronym


def test_the_last_line_is_the_headline_json():
    report = summarize(score_article(TEXT, parse_ann(ANN), []))
    headline = json.loads(render(report).splitlines()[-1])
    assert set(headline) == {"content_exact_f1", "cue_exact_f1", "source_exact_f1", "content_overlap_f1",
                             "direct_recall", "mixed_recall", "indirect_recall"}
    assert headline["content_exact_f1"] == 0.0


@pytest.mark.corpus
def test_evaluate_attributions_on_a_few_dev_articles(tmp_path):
    dev = shared_path("corpora", "polnear", "data", "dev")
    names = sorted({p.stem.rsplit("_", 1)[0] for p in (dev / "attributions").glob("*.ann")})[:4]
    polnear_subset(dev, names, tmp_path)

    done = subprocess.run([sys.executable, "-m", "wirehouse.flows.cli", "evaluate", "attributions",
                           "--polnear", str(tmp_path)], capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr
    assert f"Attributions on {len(names)} PolNeAR articles" in done.stdout
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # the real pipeline on real news: far from nothing, short of perfect
    assert 0.3 < figures["content_overlap_f1"] < 1.0
    assert 0.3 < figures["cue_exact_f1"] <= 1.0



def test_annotators_are_scored_against_each_other_on_the_articles_several_annotated(tmp_path):
    for sub in ("text", "attributions"):
        (tmp_path / sub).mkdir()
    (tmp_path / "text" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "text" / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "a_0001.ann").write_text(ANN, encoding="utf-8")
    # the second annotator ends the first content before "grow"
    (tmp_path / "attributions" / "a_0002.ann").write_text(
        ANN.replace("T3\tContent 14 36\tthe economy would grow", "T3\tContent 14 31\tthe economy would"), encoding="utf-8")
    (tmp_path / "attributions" / "b_0001.ann").write_text(ANN, encoding="utf-8")  # one annotator: not scored

    report = annotator_agreement(tmp_path)

    assert (report["n_articles"], report["n_pairs"]) == (1, 2)
    assert (report["content"]["f1"], report["cue"]["f1"], report["source"]["f1"]) == (0.5, 1.0, 1.0)
    assert report["types"]["indirect"]["recall"] == 1.0  # 17 of 22 characters covered, either way round
    assert "on 1 article several annotated (2 ordered pairs" in render_agreement(report)


def test_agreement_needs_an_article_two_annotators_annotated(tmp_path):
    for sub in ("text", "attributions"):
        (tmp_path / sub).mkdir()
    (tmp_path / "text" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "a_0001.ann").write_text(ANN, encoding="utf-8")
    with pytest.raises(BenchmarkUnreadable, match="two annotators"):
        annotator_agreement(tmp_path)


def test_evaluate_agreement_on_the_train_articles_several_annotated():
    train = shared_path("corpora", "polnear", "data", "train")

    done = subprocess.run([sys.executable, "-m", "wirehouse.flows.cli", "evaluate", "agreement",
                           "--polnear", str(train)], capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # people agree far from perfectly on where an attribution's spans end
    assert 0.5 < figures["content_exact_f1"] < 0.95 and figures["direct_recall"] > figures["indirect_recall"]
