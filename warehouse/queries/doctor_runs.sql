-- Every run, oldest first, with what it counted.
SELECT run_id, status, documents_seen, documents_loaded, documents_skipped, documents_rejected,
       accounting_ok, message
FROM pipeline_run
ORDER BY started_at
