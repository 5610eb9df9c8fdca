-- How the latest run ended, from the warehouse's own record (when the Prefect API is gone).
SELECT run_id, status, documents_seen, documents_loaded, documents_skipped, documents_rejected
FROM pipeline_run ORDER BY started_at DESC LIMIT 1
