-- A run ends: $1 finished at, $2 status, $3-$6 documents seen, loaded, skipped, rejected,
-- $7 whether seen = loaded + skipped + rejected, $8 counts (JSON), $9 message, $10 run id.
UPDATE pipeline_run SET
    finished_at = ?, status = ?, documents_seen = ?, documents_loaded = ?, documents_skipped = ?,
    documents_rejected = ?, accounting_ok = ?, counts = ?, message = ?
WHERE run_id = ?
