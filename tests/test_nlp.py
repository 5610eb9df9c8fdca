"""Minibatching for spaCy: bounded in documents and in characters, order kept."""

from __future__ import annotations

from wirehouse.transforms.nlp import minibatches


def test_minibatches_are_bounded_by_documents_and_characters():
    assert [len(group) for group in minibatches(["x" * 10] * 40, 16, 1_000)] == [16, 16, 8]
    texts = ["a" * 600, "b" * 300, "c" * 2_000, "d" * 10, "e" * 10]
    groups = list(minibatches(texts, 16, 1_000))
    assert groups == [texts[:2], [texts[2]], texts[3:]]  # a text longer than the budget goes alone
    assert [t for group in groups for t in group] == texts
    assert list(minibatches([], 16, 1_000)) == []
