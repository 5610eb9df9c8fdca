SELECT * FROM pipeline_run WHERE run_id = ?
