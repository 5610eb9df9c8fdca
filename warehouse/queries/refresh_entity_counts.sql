-- Recount the entities a batch touched ($1: list of entity ids) and drop those
-- no article mentions or quotes any more.
UPDATE entity SET
    mention_count = (SELECT count(*) FROM entity_mention m WHERE m.entity_id = entity.entity_id),
    article_count = (SELECT count(DISTINCT m.article_id) FROM entity_mention m WHERE m.entity_id = entity.entity_id)
WHERE entity_id IN (SELECT unnest($1::VARCHAR[]));

DELETE FROM entity
WHERE entity_id IN (SELECT unnest($1::VARCHAR[]))
  AND mention_count = 0
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL);
