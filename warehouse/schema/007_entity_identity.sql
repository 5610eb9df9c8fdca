-- One identity per person across the warehouse (transforms/identity.py).
-- entity_mention.entity_id of a person mention is its person's warehouse identity; each such
-- decision is explained in entity_resolution; when two ids turn out to be one entity, the
-- older id maps to the newer one in entity_redirect (one hop), so ids held elsewhere still
-- lead to the entity; identity_state keeps the step's evidence (counts, profiles, decisions)
-- so a run never re-reads old articles.

CREATE TABLE IF NOT EXISTS entity_resolution (
    article_id   VARCHAR NOT NULL,
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    mention_text VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,   -- the entity the mention got (before later redirects)
    rule         VARCHAR NOT NULL,   -- full_name, article_full_name, corpus_surname, recovered_*, override, ...
    score        DOUBLE NOT NULL,
    evidence     JSON,
    run_id       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS entity_redirect (
    old_id      VARCHAR NOT NULL,
    new_id      VARCHAR NOT NULL,    -- always a current entity: chains are kept one hop long
    reason      VARCHAR NOT NULL,    -- middle, prefix, spelling (name variants), label
    run_id      VARCHAR NOT NULL,
    redirected_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS identity_state (
    part  VARCHAR NOT NULL,          -- df, sections, identities, key_index, labels, short, ...
    key   VARCHAR NOT NULL,
    value VARCHAR NOT NULL           -- JSON
);

-- Room for a knowledge base: the id of the entity there, when a curated alias table gives it.
ALTER TABLE entity ADD COLUMN IF NOT EXISTS kb_id VARCHAR;
