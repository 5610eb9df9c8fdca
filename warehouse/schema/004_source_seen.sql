-- Every input document any run has seen, by source key, so the accounting identity holds
-- for the warehouse as a whole: each seen source is now stored (article_source) or
-- rejected (rejected_document). A run records a document in the same transaction that
-- stores or rejects it; pruning a source removes it here too.
CREATE TABLE IF NOT EXISTS source_seen (
    source_key    VARCHAR PRIMARY KEY,  -- path, or path#line for a .jsonl line
    first_run_id  VARCHAR NOT NULL,
    last_run_id   VARCHAR NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL
);

-- What an older warehouse already accounts for (the views, article_source among them, are
-- created after the migrations: its source key is spelled out here).
INSERT INTO source_seen
SELECT source_key, 'before-source-seen', 'before-source-seen', now()::TIMESTAMP
FROM (SELECT CASE WHEN source_line IS NULL THEN source_path ELSE source_path || '#' || source_line END AS source_key
      FROM article
      UNION
      SELECT source_key FROM rejected_document)
ON CONFLICT DO NOTHING;
