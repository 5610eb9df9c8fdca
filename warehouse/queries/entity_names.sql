-- Canonical name and label of the stored entities in $1 (a list).
SELECT entity_id, canonical_name, label FROM entity WHERE entity_id IN (SELECT unnest(?))
