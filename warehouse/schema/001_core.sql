-- Core tables of the Wirehouse warehouse. Offsets are character offsets into article.body.
-- 003_unkeyed_bulk_tables.sql later drops the PRIMARY KEYs of article, entity and quote.

CREATE TABLE IF NOT EXISTS pipeline_run (
    run_id             VARCHAR PRIMARY KEY,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,
    status             VARCHAR NOT NULL,   -- running | completed | completed_with_rejections | failed | incomplete
    seeds_dir          VARCHAR,
    model_name         VARCHAR,
    model_version      VARCHAR,
    enrichment_version VARCHAR,
    documents_seen     INTEGER,
    documents_loaded   INTEGER,
    documents_skipped  INTEGER,
    documents_rejected INTEGER,
    accounting_ok      BOOLEAN,
    counts             JSON,               -- rows per table after the run, and per-reason rejections
    message            VARCHAR
);

CREATE TABLE IF NOT EXISTS article (
    article_id         VARCHAR PRIMARY KEY,  -- hash of the normalized text
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

CREATE TABLE IF NOT EXISTS sentence (
    article_id     VARCHAR NOT NULL,
    sentence_index INTEGER NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL
    -- unique per (article_id, sentence_index): articles are replaced whole; no index to keep loads fast
);

CREATE TABLE IF NOT EXISTS entity (
    entity_id      VARCHAR PRIMARY KEY,   -- hash of canonical_name + label
    canonical_name VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,
    mention_count  INTEGER NOT NULL DEFAULT 0,
    article_count  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS entity_mention (
    article_id     VARCHAR NOT NULL,
    entity_id      VARCHAR NOT NULL,
    mention_text   VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,     -- resolved for the whole article
    raw_label      VARCHAR,              -- as spaCy's NER tagged this span; NULL where NER found none
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    sentence_index INTEGER NOT NULL,
    role           VARCHAR               -- title the article gives the person, e.g. 'Prime Minister'
    -- unique per (article_id, start_char, end_char): articles are replaced whole and every batch is
    -- audited for it (expectations/entity_mention.json); no index, so bulk loads stay fast
);

CREATE TABLE IF NOT EXISTS quote (
    quote_id           VARCHAR PRIMARY KEY,  -- hash of article + offsets
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

CREATE TABLE IF NOT EXISTS rejected_document (
    source_key   VARCHAR PRIMARY KEY,  -- path, or path#line for a .jsonl line
    source_path  VARCHAR NOT NULL,
    source_line  INTEGER,
    reason       VARCHAR NOT NULL,
    detail       VARCHAR NOT NULL,
    first_bytes  VARCHAR,
    run_id       VARCHAR NOT NULL,     -- the latest run that rejected it
    first_run_id VARCHAR NOT NULL,
    rejected_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS validation_result (
    run_id            VARCHAR NOT NULL,
    batch_index       INTEGER NOT NULL,
    suite             VARCHAR NOT NULL,
    expectation       VARCHAR NOT NULL,
    column_name       VARCHAR,
    severity          VARCHAR NOT NULL,  -- critical | warning
    success           BOOLEAN NOT NULL,
    element_count     BIGINT,
    unexpected_count  BIGINT,
    unexpected_sample VARCHAR,
    validated_at      TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantine (
    run_id               VARCHAR NOT NULL,
    batch_index          INTEGER NOT NULL,
    table_name           VARCHAR NOT NULL,
    article_id           VARCHAR,
    failed_expectations  VARCHAR NOT NULL,
    row_json             JSON NOT NULL,
    quarantined_at       TIMESTAMP NOT NULL
);
