-- Sources in $1 (a list) whose documents are gone and pruned: no longer seen.
DELETE FROM source_seen WHERE source_key IN (SELECT unnest(?))
