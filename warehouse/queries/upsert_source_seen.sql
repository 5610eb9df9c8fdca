-- Record the source keys of registered Arrow table staged_sources as seen by run $1 at $2.
INSERT INTO source_seen (source_key, first_run_id, last_run_id, last_seen_at)
SELECT source_key, $1, $1, $2 FROM staged_sources
ON CONFLICT (source_key) DO UPDATE SET
    last_run_id = excluded.last_run_id,
    last_seen_at = excluded.last_seen_at;
