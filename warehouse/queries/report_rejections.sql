-- Documents run ?1 rejected (it is the latest run that rejected them), by reason.
SELECT source_key, reason, detail, first_run_id = run_id AS first_time
FROM rejected_document
WHERE run_id = ?
ORDER BY reason, source_key
