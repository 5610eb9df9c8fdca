-- When each of the article ids in $1 (a list) that are stored was first ingested: an article
-- re-enriched under a new version keeps the day it came in, the date undated articles go by.
SELECT article_id, ingested_at FROM article WHERE article_id IN (SELECT unnest(?))
