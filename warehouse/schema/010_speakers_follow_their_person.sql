-- A speaker follows its person when a later batch decides that person's mentions again
-- (queries/redecide_mentions.sql). Warehouses written before kept the speaker's old entity,
-- left without a mention anywhere (BBC: 18 quotes and 30 attributions, "Cook" among them).
-- Each such speaker takes the one person mention at its own span, else the one person of its
-- article named as its old entity is (every case on BBC); an attribution holding a quote
-- that had its speaker takes the quote's. Those rows take their entity's name, and an entity
-- then left without mentions or speakers goes.
CREATE TEMP TABLE stale_speaker AS
WITH speaker AS (
    SELECT 'quote' AS kind, quote_id AS id, article_id, speaker_entity_id AS old_id,
           speaker_start_char AS start_char, speaker_end_char AS end_char, attribution_id AS held_by,
           quote.start_char AS text_order
    FROM quote
    UNION ALL
    SELECT 'attribution', attribution_id, article_id, speaker_entity_id, source_start_char, source_end_char, NULL, NULL
    FROM attribution
)
SELECT s.kind, s.id, s.old_id, s.held_by, s.text_order, coalesce(
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
UPDATE stale_speaker SET new_id = (
    SELECT arg_min(q.new_id, q.text_order) FROM stale_speaker q
    WHERE q.kind = 'quote' AND q.held_by = stale_speaker.id AND q.old_id = stale_speaker.old_id
      AND q.new_id IS NOT NULL)
WHERE kind = 'attribution' AND EXISTS (
    SELECT 1 FROM stale_speaker q
    WHERE q.kind = 'quote' AND q.held_by = stale_speaker.id AND q.old_id = stale_speaker.old_id
      AND q.new_id IS NOT NULL);
UPDATE quote SET speaker_entity_id = t.new_id, speaker_name = e.canonical_name
FROM stale_speaker t JOIN entity e ON e.entity_id = t.new_id
WHERE t.kind = 'quote' AND t.id = quote.quote_id;
UPDATE attribution SET speaker_entity_id = t.new_id, speaker_name = e.canonical_name
FROM stale_speaker t JOIN entity e ON e.entity_id = t.new_id
WHERE t.kind = 'attribution' AND t.id = attribution.attribution_id;
DROP TABLE stale_speaker;
DELETE FROM entity
WHERE NOT EXISTS (SELECT 1 FROM entity_mention m WHERE m.entity_id = entity.entity_id)
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL)
  AND entity_id NOT IN (SELECT speaker_entity_id FROM attribution WHERE speaker_entity_id IS NOT NULL);
