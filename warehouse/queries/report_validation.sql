-- Expectation outcomes of run ?1 per suite: checks passed, failed as warnings, failed critically.
SELECT suite,
       CASE WHEN success THEN 'passed' WHEN severity = 'critical' THEN 'failed (critical)'
            ELSE 'failed (warning)' END AS outcome,
       count(*) AS checks,
       count(DISTINCT batch_index) AS batches
FROM validation_result
WHERE run_id = ?
GROUP BY ALL
ORDER BY suite, outcome
