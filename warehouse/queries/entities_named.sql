-- Stored entities whose canonical name, folded, is in $1 (a list): the ones a warehouse label decides.
SELECT entity_id, canonical_name, label FROM entity WHERE lower(canonical_name) IN (SELECT unnest(?))
