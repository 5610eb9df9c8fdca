-- Sources in $1 (a list) whose article this run ($2) stored again under another source and
-- that it did not read: a renamed or removed file whose text lives on elsewhere holds nothing
-- now, so it is no longer seen (it would be an input neither stored nor rejected).
DELETE FROM source_seen
WHERE source_key IN (SELECT unnest(?))
  AND last_run_id IS DISTINCT FROM ?
  AND source_key NOT IN (SELECT source_key FROM article_source)
  AND source_key NOT IN (SELECT source_key FROM rejected_document)
