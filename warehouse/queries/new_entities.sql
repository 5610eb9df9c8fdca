-- The staged entities (registered Arrow table staged_entities) the warehouse does not hold yet.
SELECT * FROM staged_entities s
WHERE NOT EXISTS (SELECT 1 FROM entity e WHERE e.entity_id = s.entity_id)
