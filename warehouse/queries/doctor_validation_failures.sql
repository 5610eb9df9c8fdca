-- Per run, the critical expectation failures (its batches were quarantined, not published).
SELECT run_id, count(*) AS failures, string_agg(DISTINCT suite || '.' || expectation, ', ') AS expectations
FROM validation_result
WHERE NOT success AND severity = 'critical'
GROUP BY run_id
ORDER BY min(validated_at)
