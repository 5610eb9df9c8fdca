SELECT run_id FROM pipeline_run ORDER BY started_at DESC LIMIT 1
