-- Entities a batch publishes rows for (registered Arrow table staged_entities): no redirect
-- leads away from them. A date an older version moved with a name the warehouse relabelled
-- ("on Sunday" with the ORG "Sunday"), or a name relabelled back, is its own entity again.
DELETE FROM entity_redirect WHERE old_id IN (SELECT entity_id FROM staged_entities)
