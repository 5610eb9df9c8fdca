-- Inputs that load now (source keys in $1, a list) are no longer rejected, nor are the files
-- their lines, rows or records come from ($2) where a run before this one ($3) rejected a
-- file whole: a CSV once without a text column whose rows load now. Returns the keys cleared.
DELETE FROM rejected_document
WHERE source_key IN (SELECT unnest(?))
   OR (source_key IN (SELECT unnest(?)) AND run_id <> ?)
RETURNING source_key
