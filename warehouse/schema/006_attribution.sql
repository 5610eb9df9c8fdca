-- Reported speech: one row per attribution (direct, mixed or indirect) as PARC 3.0 and PolNeAR
-- define it: a source (who), a cue (said, according to, claims) and a content (what), each
-- as character offsets into article.body. Direct quotations stay in quote, pointing here.
CREATE TABLE IF NOT EXISTS attribution (
    attribution_id     VARCHAR NOT NULL,     -- hash of article + content offsets
    article_id         VARCHAR NOT NULL,
    attribution_type   VARCHAR NOT NULL,     -- direct | mixed | indirect
    content_start_char INTEGER NOT NULL,
    content_end_char   INTEGER NOT NULL,
    content_text       VARCHAR NOT NULL,     -- body[content_start_char:content_end_char]
    cue_start_char     INTEGER,
    cue_end_char       INTEGER,
    cue_text           VARCHAR,
    source_start_char  INTEGER,              -- NULL when the source is not in the text
    source_end_char    INTEGER,
    source_text        VARCHAR,              -- the local mention ("he", "the campaign")
    speaker_name       VARCHAR,              -- the canonical speaker, when resolved
    speaker_entity_id  VARCHAR,
    confidence         DOUBLE NOT NULL,
    method             VARCHAR NOT NULL,     -- how it was found
    sentence_index     INTEGER NOT NULL
    -- unique per attribution_id: articles are replaced whole and every batch is audited for it
);

ALTER TABLE quote ADD COLUMN IF NOT EXISTS attribution_id VARCHAR;
