-- The entity each staged span (registered Arrow table staged_spans: article_id, start_char,
-- end_char) holds now: what a mention decided again had before.
SELECT m.entity_id
FROM entity_mention m
JOIN staged_spans s USING (article_id, start_char, end_char)
