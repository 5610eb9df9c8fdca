-- Apply a publish's entity count changes (registered Arrow table entity_deltas:
-- entity_id, mentions, articles). drop_unused_entities.sql then removes the unused ones.
UPDATE entity SET
    mention_count = entity.mention_count + d.mentions,
    article_count = entity.article_count + d.articles
FROM entity_deltas d
WHERE entity.entity_id = d.entity_id;
