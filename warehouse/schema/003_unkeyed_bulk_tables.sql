-- article, entity and quote without PRIMARY KEY indexes. DuckDB rewrites a table's ART
-- index at every checkpoint, and a run checkpoints after each published batch, so the keys
-- made every publish slower as the warehouse grew (at 50,000 articles the checkpoint took
-- 0.5 s instead of 0.2 s). Their ids are content hashes that the loader keeps unique: a
-- publish deletes an article's old version first and inserts only entities the warehouse
-- lacks, every batch is audited for unique ids, and `wirehouse doctor` checks the tables.

CREATE TABLE article_unkeyed (
    article_id         VARCHAR NOT NULL,     -- hash of the normalized text
    source_path        VARCHAR NOT NULL,
    source_line        INTEGER,              -- line of a .jsonl file; NULL for .txt
    external_id        VARCHAR,
    title              VARCHAR,
    body               VARCHAR NOT NULL,
    published_at       TIMESTAMP,            -- UTC
    source             VARCHAR,
    url                VARCHAR,
    encoding           VARCHAR NOT NULL,
    char_count         INTEGER NOT NULL,
    word_count         INTEGER NOT NULL,
    sentence_count     INTEGER NOT NULL,
    enrichment_version VARCHAR NOT NULL,
    ingested_at        TIMESTAMP NOT NULL,
    run_id             VARCHAR NOT NULL
);
INSERT INTO article_unkeyed SELECT * FROM article;
DROP TABLE article;
ALTER TABLE article_unkeyed RENAME TO article;

CREATE TABLE entity_unkeyed (
    entity_id      VARCHAR NOT NULL,      -- hash of canonical_name + label
    canonical_name VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,
    mention_count  INTEGER NOT NULL DEFAULT 0,
    article_count  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO entity_unkeyed SELECT * FROM entity;
DROP TABLE entity;
ALTER TABLE entity_unkeyed RENAME TO entity;

CREATE TABLE quote_unkeyed (
    quote_id           VARCHAR NOT NULL,     -- hash of article + offsets
    article_id         VARCHAR NOT NULL,
    quote_text         VARCHAR NOT NULL,     -- body[start_char:end_char], quotation marks excluded
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    speaker_name       VARCHAR,
    speaker_entity_id  VARCHAR,
    speaker_start_char INTEGER,              -- the local mention the speaker was found from
    speaker_end_char   INTEGER,
    cue                VARCHAR,
    quote_type         VARCHAR NOT NULL,     -- direct | partial
    attribution        VARCHAR NOT NULL,     -- how the speaker was found
    confidence         DOUBLE NOT NULL,
    sentence_index     INTEGER NOT NULL
);
INSERT INTO quote_unkeyed SELECT * FROM quote;
DROP TABLE quote;
ALTER TABLE quote_unkeyed RENAME TO quote;
