-- Sources in $1 (a list) no longer seen: pruned because their documents are gone, or
-- rejections of other spellings forgotten (forget_rejected_sources).
DELETE FROM source_seen WHERE source_key IN (SELECT unnest(?))
