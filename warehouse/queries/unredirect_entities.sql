-- Entities that have rows of their own again (registered Arrow table staged_entities: the
-- batch's new ones): no redirect leads away from them. A date moved once with a name that
-- the warehouse relabelled ("on Sunday" with the ORG "Sunday"), or a name relabelled back,
-- is its own entity again.
DELETE FROM entity_redirect WHERE old_id IN (SELECT entity_id FROM staged_entities)
