-- A speaker follows its person when a later batch decides that person's mentions again
-- (queries/redecide_mentions.sql). Warehouses written before kept the speaker's old entity,
-- left without a mention anywhere (BBC: 18 quotes and 30 attributions, "Cook" among them).
-- Each such speaker takes the one person mention at its own span, else the one person of its
-- article named as its old entity is (every case on BBC); an entity then left without
-- mentions or speakers goes.
CREATE TEMP TABLE stale_speaker AS
WITH speaker AS (
    SELECT 'quote' AS kind, quote_id AS id, article_id, speaker_entity_id AS old_id,
           speaker_start_char AS start_char, speaker_end_char AS end_char
    FROM quote
    UNION ALL
    SELECT 'attribution', attribution_id, article_id, speaker_entity_id, source_start_char, source_end_char
    FROM attribution
)
SELECT s.kind, s.id, coalesce(
    (SELECT max(m.entity_id) FROM entity_mention m
     WHERE m.article_id = s.article_id AND m.label = 'PERSON'
       AND m.start_char < s.end_char AND s.start_char < m.end_char
     HAVING count(DISTINCT m.entity_id) = 1),
    (SELECT max(m.entity_id) FROM entity_mention m
     JOIN entity f ON f.entity_id = m.entity_id
     JOIN entity old ON old.entity_id = s.old_id
     WHERE m.article_id = s.article_id AND m.label = 'PERSON'
       AND (f.canonical_name = old.canonical_name OR m.mention_text = old.canonical_name)
     HAVING count(DISTINCT m.entity_id) = 1)) AS new_id
FROM speaker s
WHERE s.old_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entity_mention m WHERE m.entity_id = s.old_id);
UPDATE quote SET speaker_entity_id = t.new_id
FROM stale_speaker t WHERE t.kind = 'quote' AND t.id = quote.quote_id AND t.new_id IS NOT NULL;
UPDATE attribution SET speaker_entity_id = t.new_id
FROM stale_speaker t WHERE t.kind = 'attribution' AND t.id = attribution.attribution_id AND t.new_id IS NOT NULL;
DROP TABLE stale_speaker;
UPDATE quote SET speaker_name = e.canonical_name
FROM entity e WHERE e.entity_id = quote.speaker_entity_id AND quote.speaker_name <> e.canonical_name;
UPDATE attribution SET speaker_name = e.canonical_name
FROM entity e WHERE e.entity_id = attribution.speaker_entity_id AND attribution.speaker_name <> e.canonical_name;
DELETE FROM entity
WHERE mention_count = 0
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL)
  AND entity_id NOT IN (SELECT speaker_entity_id FROM attribution WHERE speaker_entity_id IS NOT NULL);
