"""The Doc attributes Wirehouse's components assign, registered once for every process.

Importing this module registers them; each component's factory declares which it
assigns and which it reads (`assigns=`, `requires=`), so `nlp.analyze_pipes()` shows the
data flow through the pipeline.
"""

from __future__ import annotations

from spacy.tokens import Doc

# name -> what it holds (all default to None until the component runs)
DOC_EXTENSIONS = {
    "resolved_mentions": "list of entity_resolver.ResolvedMention, in text order",
    "entity_clusters": "list of entity_resolver.EntityCluster: the mentions of each entity",
    "quotes": "list of quotes.QuoteMatch, in text order",
    "attributions": "list of attributions.AttributionMatch (who said what, quoted or reported), in text order",
}


def register() -> None:
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register()
