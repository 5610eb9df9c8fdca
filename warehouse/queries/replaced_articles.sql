-- The stored articles among the ids in $1 (a list) a publish replaces: the source key each
-- is stored under (one a moved text leaves may be forgotten) and when it was first ingested
-- (an article re-enriched under a new version keeps it: undated articles go by that day).
SELECT s.article_id, s.source_key, a.ingested_at
FROM article_source s
JOIN article a USING (article_id)
WHERE s.article_id IN (SELECT unnest(?))
