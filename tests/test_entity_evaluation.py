"""Entity scoring: pure functions on hand-made spans, and the IE-ER run when the corpus is there."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from wirehouse.evaluation.entities import (
    GOLD_TYPES,
    PREDICTED_TYPES,
    GoldDocument,
    count_matches,
    evaluate,
    load_ieer,
    map_spans,
    prf,
    render,
    score_documents,
    strip_markup,
    summarize,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
IEER = SHARED / "corpora" / "ieer" / "ner_gold_ieer.jsonl"
needs_ieer = pytest.mark.skipif(not IEER.is_file(), reason=f"IE-ER gold not found at {IEER} (needs ../shared/corpora)")
HEADLINE_KEYS = {"raw_f1", "resolved_f1", "person_f1_raw", "person_f1_resolved"}


def test_label_mapping():
    assert map_spans([(0, 3, "ORGANIZATION"), (4, 9, "LOCATION"), (10, 12, "DURATION")], GOLD_TYPES) == [
        (0, 3, "ORG"), (4, 9, "LOC"), (10, 12, "DATE"),
    ]
    predicted = [(0, 3, "GPE"), (4, 9, "LOC"), (10, 12, "NORP"), (13, 15, "ORDINAL"), (16, 20, "PERSON")]
    assert map_spans(predicted, PREDICTED_TYPES) == [(0, 3, "LOC"), (4, 9, "LOC"), (16, 20, "PERSON")]


def test_exact_span_and_type_match():
    gold = [(0, 5, "PERSON"), (10, 15, "ORG"), (20, 25, "LOC")]
    predicted = [(0, 5, "PERSON"), (10, 15, "LOC"), (20, 24, "LOC"), (30, 35, "ORG")]
    counts = count_matches(gold, predicted)
    assert counts["tp"] == Counter({"PERSON": 1})
    assert counts["fp"] == Counter({"LOC": 2, "ORG": 1})  # wrong type, wrong boundary, spurious
    assert counts["fn"] == Counter({"ORG": 1, "LOC": 1})


def test_optional_spans_are_neither_right_nor_wrong():
    counts = count_matches([(0, 5, "PERSON")], [(0, 5, "PERSON"), (7, 14, "ORG")], optional=[(7, 14)])
    assert counts["tp"] == Counter({"PERSON": 1})
    assert sum(counts["fp"].values()) == 0


def test_prf():
    assert prf(0, 0, 0) == {"tp": 0, "fp": 0, "fn": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    scores = prf(3, 1, 2)
    assert scores["precision"] == 0.75 and scores["recall"] == 0.6
    assert scores["f1"] == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_summarize_micro_averages():
    counts = {"tp": Counter(PERSON=2, ORG=1), "fp": Counter(ORG=1), "fn": Counter(PERSON=1)}
    table = summarize(counts, ("PERSON", "ORG"))
    assert table["PERSON"]["recall"] == pytest.approx(2 / 3)
    assert table["ALL"]["tp"] == 3 and table["ALL"]["fp"] == 1 and table["ALL"]["fn"] == 1


def test_strip_markup_moves_offsets_and_marks_optional_spans():
    text = 'A <b_enamex type="ORGANIZATION" status="opt">Finance<e_enamex> Minister Simeon Nyachae spoke.'
    start = text.index("Simeon")
    clean, spans, optional = strip_markup(text, [(start, start + len("Simeon Nyachae"), "PERSON")])
    assert clean == "A Finance Minister Simeon Nyachae spoke."
    (s, e, label), = spans
    assert clean[s:e] == "Simeon Nyachae" and label == "PERSON"
    assert optional == {(2, 9)} and clean[2:9] == "Finance"


def test_score_documents_and_render():
    text = "Naftali Bennett met Lapid in Israel."
    document = GoldDocument(
        "d1", text, ((0, 15, "PERSON"), (20, 25, "PERSON"), (29, 35, "LOC")), frozenset()
    )
    raw = [(0, 15, "PERSON"), (20, 25, "ORG"), (29, 35, "GPE")]
    resolved = [(0, 15, "PERSON"), (20, 25, "PERSON"), (29, 35, "GPE")]
    report = score_documents([document], [(raw, resolved)])
    assert report["person_f1_raw"] == pytest.approx(2 / 3)
    assert report["person_f1_resolved"] == 1.0
    assert report["resolved_f1"] == 1.0 and report["raw_f1"] == pytest.approx(2 / 3)
    assert report["types"]["ORG"]["raw"]["fp"] == 1
    output = render(report)
    headline = json.loads(output.splitlines()[-1])
    assert set(headline) == HEADLINE_KEYS
    assert "PERSON" in output and "ORG" in output


@needs_ieer
def test_load_ieer_offsets_point_at_the_entity_text():
    documents = load_ieer(IEER)
    assert len(documents) == 94
    raw = [json.loads(line) for line in IEER.read_text(encoding="utf-8").splitlines() if line.strip()]
    for document, record in zip(documents, raw):
        assert "<b_enamex" not in document.text and "<ANNOTATION>" not in document.text
        texts = Counter(" ".join(document.text[s:e].split()) for s, e, _ in document.entities)
        wanted = Counter(  # one gold span starts on a leftover tag: its text is the name after it
            " ".join(re.sub(r"<[^>]+>", "", e["text"]).split())
            for e in record["entities"] if e["label"] in GOLD_TYPES
        )
        assert texts == wanted, document.doc_id


@needs_ieer
def test_evaluate_on_a_few_documents():
    report = evaluate(IEER, limit=5)
    assert report["documents"] == 5
    assert HEADLINE_KEYS <= set(report)
    assert json.loads(render(report).splitlines()[-1]).keys() == HEADLINE_KEYS


@pytest.mark.slow
@pytest.mark.corpus
@needs_ieer
def test_resolution_lowers_no_type_and_raises_person_f1():
    report = evaluate(IEER)
    for kind, scores in report["types"].items():
        assert scores["resolved"]["f1"] >= scores["raw"]["f1"] - 1e-9, kind
    assert report["person_f1_resolved"] > report["person_f1_raw"] + 0.03
