-- Sources in $1 (a list) no longer seen: pruned because their documents are gone, or other
-- spellings of a file stored under another.
DELETE FROM source_seen WHERE source_key IN (SELECT unnest(?))
