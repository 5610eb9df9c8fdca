-- Runs still 'running' when a new run holds the run lock were killed: say so.
UPDATE pipeline_run
SET status = 'incomplete', message = 'process ended before the run finished'
WHERE status = 'running'
RETURNING run_id
