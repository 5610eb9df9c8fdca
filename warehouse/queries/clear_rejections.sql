-- Inputs that load now (source keys in $1, a list) are no longer rejected.
DELETE FROM rejected_document WHERE source_key IN (SELECT unnest(?))
