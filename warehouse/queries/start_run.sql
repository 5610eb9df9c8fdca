-- A run begins: $1 run id, $2 started at, $3 seeds folder, $4 model name, $5 model version,
-- $6 enrichment version, $7 PID, $8 host.
INSERT INTO pipeline_run (run_id, started_at, status, seeds_dir, model_name, model_version,
                          enrichment_version, pid, host)
VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)
