"""Document-level entity resolution (first version: one entity per distinct spaCy span).

Contract used by the rest of the pipeline:
- `add_to_pipeline(nlp)` adds the registered component(s) after "ner".
- `Doc._.resolved_mentions` is a list of `ResolvedMention`, in text order.
- `mention_at(doc, start_char, end_char)` returns the resolved mention covering a span.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

Doc.set_extension("resolved_mentions", default=None, force=True)


@dataclass(frozen=True)
class ResolvedMention:
    start_char: int
    end_char: int
    text: str
    raw_label: str
    label: str
    canonical_name: str
    role: str | None = None


@Language.factory("wirehouse_entity_resolver")
def make_entity_resolver(nlp: Language, name: str):
    return EntityResolver()


class EntityResolver:
    def __call__(self, doc: Doc) -> Doc:
        doc._.resolved_mentions = [
            ResolvedMention(ent.start_char, ent.end_char, ent.text, ent.label_, ent.label_, ent.text)
            for ent in doc.ents
        ]
        return doc


def add_to_pipeline(nlp: Language) -> None:
    nlp.add_pipe("wirehouse_entity_resolver", after="ner")


def mention_at(doc: Doc, start_char: int, end_char: int) -> ResolvedMention | None:
    for mention in doc._.resolved_mentions or ():
        if mention.start_char <= start_char and end_char <= mention.end_char:
            return mention
    return None
