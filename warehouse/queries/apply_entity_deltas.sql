-- Apply a publish's entity count changes (registered Arrow table entity_deltas:
-- entity_id, mentions, articles) and drop entities nothing refers to any more.
UPDATE entity SET
    mention_count = entity.mention_count + d.mentions,
    article_count = entity.article_count + d.articles
FROM entity_deltas d
WHERE entity.entity_id = d.entity_id;

DELETE FROM entity
WHERE entity_id IN (SELECT entity_id FROM entity_deltas)
  AND mention_count = 0
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL);
