-- Exact counts of the entities a batch's identity changes touched (registered Arrow table
-- staged_entity_ids), and those left without mentions or speakers dropped.
UPDATE entity SET
    mention_count = coalesce(c.mentions, 0),
    article_count = coalesce(c.articles, 0)
FROM (
    SELECT t.entity_id, count(m.article_id) AS mentions, count(DISTINCT m.article_id) AS articles
    FROM staged_entity_ids t LEFT JOIN entity_mention m USING (entity_id)
    GROUP BY t.entity_id
) c
WHERE entity.entity_id = c.entity_id;
DELETE FROM entity
WHERE entity_id IN (SELECT entity_id FROM staged_entity_ids)
  AND mention_count = 0
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL)
  AND entity_id NOT IN (SELECT speaker_entity_id FROM attribution WHERE speaker_entity_id IS NOT NULL);
