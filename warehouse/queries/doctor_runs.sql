-- Every run, oldest first, with what it counted and how many stored articles it published.
SELECT r.run_id, r.status, r.documents_seen, r.documents_loaded, r.documents_skipped, r.documents_rejected,
       r.accounting_ok, r.message,
       (SELECT count(*) FROM article a WHERE a.run_id = r.run_id) AS articles_published
FROM pipeline_run r
ORDER BY r.started_at
