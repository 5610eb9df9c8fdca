-- Keep one row per rejected input: the latest reason, and the run that first rejected it.
-- $1, $2: run id; $3: timestamp. Rows come from the registered Arrow table staged_rejections.
INSERT INTO rejected_document
    (source_key, source_path, source_line, reason, detail, first_bytes, run_id, first_run_id, rejected_at)
SELECT source_key, source_path, source_line, reason, detail, first_bytes, $1, $2, $3
FROM staged_rejections
ON CONFLICT (source_key) DO UPDATE SET
    reason = excluded.reason,
    detail = excluded.detail,
    first_bytes = excluded.first_bytes,
    run_id = excluded.run_id,
    rejected_at = excluded.rejected_at;
