-- A speaker follows its person when a later batch decides that person's mentions again
-- (queries/redecide_mentions.sql). Warehouses written before kept the speaker's old entity,
-- left without a mention anywhere (BBC: 18 quotes and 30 attributions, "Cook" among them).
-- Each such speaker takes the one person mention at its own span, else the one person of its
-- article named as its old entity is (every case on BBC); an entity then left without
-- mentions or speakers goes.
UPDATE quote SET speaker_entity_id = coalesce(
    (SELECT max(m.entity_id) FROM entity_mention m
     WHERE m.article_id = quote.article_id AND m.label = 'PERSON'
       AND m.start_char < quote.speaker_end_char AND quote.speaker_start_char < m.end_char
     HAVING count(DISTINCT m.entity_id) = 1),
    (SELECT max(m.entity_id) FROM entity_mention m JOIN entity f ON f.entity_id = m.entity_id
     JOIN entity old ON old.entity_id = quote.speaker_entity_id
     WHERE m.article_id = quote.article_id AND m.label = 'PERSON'
       AND (f.canonical_name = old.canonical_name OR m.mention_text = old.canonical_name)
     HAVING count(DISTINCT m.entity_id) = 1),
    speaker_entity_id)
WHERE speaker_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM entity_mention m WHERE m.entity_id = quote.speaker_entity_id);
UPDATE attribution SET speaker_entity_id = coalesce(
    (SELECT max(m.entity_id) FROM entity_mention m
     WHERE m.article_id = attribution.article_id AND m.label = 'PERSON'
       AND m.start_char < attribution.source_end_char AND attribution.source_start_char < m.end_char
     HAVING count(DISTINCT m.entity_id) = 1),
    (SELECT max(m.entity_id) FROM entity_mention m JOIN entity f ON f.entity_id = m.entity_id
     JOIN entity old ON old.entity_id = attribution.speaker_entity_id
     WHERE m.article_id = attribution.article_id AND m.label = 'PERSON'
       AND (f.canonical_name = old.canonical_name OR m.mention_text = old.canonical_name)
     HAVING count(DISTINCT m.entity_id) = 1),
    speaker_entity_id)
WHERE speaker_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM entity_mention m WHERE m.entity_id = attribution.speaker_entity_id);
UPDATE quote SET speaker_name = e.canonical_name
FROM entity e WHERE e.entity_id = quote.speaker_entity_id AND quote.speaker_name <> e.canonical_name;
UPDATE attribution SET speaker_name = e.canonical_name
FROM entity e WHERE e.entity_id = attribution.speaker_entity_id AND attribution.speaker_name <> e.canonical_name;
DELETE FROM entity
WHERE mention_count = 0
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL)
  AND entity_id NOT IN (SELECT speaker_entity_id FROM attribution WHERE speaker_entity_id IS NOT NULL);
