-- Person mentions decided again (registered Arrow table staged_resolutions, the
-- entity_resolution rows): their entity and their explanation are replaced (a mention whose
-- article has gone since is left alone). A person new to the warehouse (a surname left
-- undecided in its article) gets its entity row, named as written until rename_people names it.
INSERT INTO entity (entity_id, canonical_name, label, mention_count, article_count)
SELECT DISTINCT ON (s.entity_id) s.entity_id, s.mention_text, 'PERSON', 0, 0
FROM staged_resolutions s
WHERE NOT EXISTS (SELECT 1 FROM entity e WHERE e.entity_id = s.entity_id)
  AND EXISTS (SELECT 1 FROM entity_mention m
              WHERE m.article_id = s.article_id AND m.start_char = s.start_char AND m.end_char = s.end_char);
UPDATE entity_mention SET entity_id = s.entity_id, label = 'PERSON'
FROM staged_resolutions s
WHERE entity_mention.article_id = s.article_id
  AND entity_mention.start_char = s.start_char
  AND entity_mention.end_char = s.end_char;
DELETE FROM entity_resolution
WHERE (article_id, start_char, end_char) IN (SELECT (article_id, start_char, end_char) FROM staged_resolutions);
INSERT INTO entity_resolution
SELECT s.* FROM staged_resolutions s
WHERE EXISTS (SELECT 1 FROM entity_mention m
              WHERE m.article_id = s.article_id AND m.start_char = s.start_char AND m.end_char = s.end_char);
