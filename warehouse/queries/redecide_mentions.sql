-- Person mentions decided again (registered Arrow table staged_resolutions, the
-- entity_resolution rows): their entity and their explanation are replaced (a mention whose
-- article has gone since is left alone). A person new to the warehouse (a surname left
-- undecided in its article) gets its entity row, named as written until rename_people names it.
-- $1 run id, $2 time.
INSERT INTO entity (entity_id, canonical_name, label, mention_count, article_count)
SELECT DISTINCT ON (s.entity_id) s.entity_id, s.mention_text, 'PERSON', 0, 0
FROM staged_resolutions s
WHERE NOT EXISTS (SELECT 1 FROM entity e WHERE e.entity_id = s.entity_id)
  AND EXISTS (SELECT 1 FROM entity_mention m
              WHERE m.article_id = s.article_id AND m.start_char = s.start_char AND m.end_char = s.end_char);
-- Speakers follow their person, as they do in a batch: every mention, in its article, of an
-- entity some of whose mentions move, with the entity it will have...
CREATE OR REPLACE TEMP TABLE speaker_mentions AS
WITH moved AS (
    SELECT m.article_id, m.start_char, m.end_char, m.entity_id AS old_id, s.entity_id AS new_id
    FROM staged_resolutions s
    JOIN entity_mention m USING (article_id, start_char, end_char)
    WHERE m.entity_id <> s.entity_id
)
SELECT m.article_id, m.start_char, m.end_char, m.entity_id AS old_id, coalesce(v.new_id, m.entity_id) AS new_id
FROM entity_mention m
JOIN (SELECT DISTINCT article_id, old_id FROM moved) k ON k.article_id = m.article_id AND k.old_id = m.entity_id
LEFT JOIN moved v
    ON v.article_id = m.article_id AND v.start_char = m.start_char AND v.end_char = m.end_char;
-- ...and the entity most of them will have (ties to the greater id, as in a batch)
CREATE OR REPLACE TEMP TABLE speaker_people AS
SELECT article_id, old_id, new_id FROM (
    SELECT article_id, old_id, new_id,
           row_number() OVER (PARTITION BY article_id, old_id ORDER BY count(*) DESC, new_id DESC) AS rank
    FROM speaker_mentions GROUP BY article_id, old_id, new_id)
WHERE rank = 1;
-- A quote whose speaker was such an entity takes the entity of the first such mention at its
-- own span, else the one most of the article's mentions have ("he said"); an attribution
-- holding a quote that had its speaker takes that quote's, as in a batch, else the same.
CREATE OR REPLACE TEMP TABLE held_quotes AS
SELECT q.quote_id, q.attribution_id, q.speaker_entity_id AS old_id, q.start_char
FROM quote q
WHERE q.attribution_id IS NOT NULL AND (q.article_id, q.speaker_entity_id) IN (SELECT (article_id, old_id) FROM speaker_people);
UPDATE quote SET speaker_entity_id = coalesce(
    (SELECT arg_min(a.new_id, a.start_char) FROM speaker_mentions a
     WHERE a.article_id = quote.article_id AND a.old_id = quote.speaker_entity_id
       AND a.start_char < quote.speaker_end_char AND quote.speaker_start_char < a.end_char),
    (SELECT p.new_id FROM speaker_people p WHERE p.article_id = quote.article_id AND p.old_id = quote.speaker_entity_id))
WHERE (article_id, speaker_entity_id) IN (SELECT (article_id, old_id) FROM speaker_people);
UPDATE attribution SET speaker_entity_id = coalesce(
    (SELECT arg_min(q.speaker_entity_id, h.start_char) FROM held_quotes h JOIN quote q USING (quote_id)
     WHERE h.attribution_id = attribution.attribution_id AND h.old_id = attribution.speaker_entity_id),
    (SELECT arg_min(a.new_id, a.start_char) FROM speaker_mentions a
     WHERE a.article_id = attribution.article_id AND a.old_id = attribution.speaker_entity_id
       AND a.start_char < attribution.source_end_char AND attribution.source_start_char < a.end_char),
    (SELECT p.new_id FROM speaker_people p
     WHERE p.article_id = attribution.article_id AND p.old_id = attribution.speaker_entity_id))
WHERE (article_id, speaker_entity_id) IN (SELECT (article_id, old_id) FROM speaker_people);
UPDATE quote SET speaker_name = e.canonical_name
FROM entity e WHERE e.entity_id = quote.speaker_entity_id
  AND quote.article_id IN (SELECT article_id FROM speaker_people) AND quote.speaker_name <> e.canonical_name;
UPDATE attribution SET speaker_name = e.canonical_name
FROM entity e WHERE e.entity_id = attribution.speaker_entity_id
  AND attribution.article_id IN (SELECT article_id FROM speaker_people) AND attribution.speaker_name <> e.canonical_name;
DROP TABLE held_quotes;
DROP TABLE speaker_mentions;
DROP TABLE speaker_people;
-- An entity every mention of which is decided to be one other ("Glazer", a surname alone in
-- its articles, once the warehouse knows Malcolm Glazer) has turned out to be it: its id
-- redirects there, as a relabelled name's does, so an id once stored is followed, not lost.
CREATE OR REPLACE TEMP TABLE decided_redirects AS
SELECT m.entity_id AS old_id, min(s.entity_id) AS new_id
FROM entity_mention m
LEFT JOIN staged_resolutions s USING (article_id, start_char, end_char)
WHERE m.entity_id IN (SELECT o.entity_id FROM staged_resolutions r JOIN entity_mention o USING (article_id, start_char, end_char)
                      WHERE o.entity_id <> r.entity_id)
GROUP BY m.entity_id
HAVING count(s.entity_id) = count(*) AND count(DISTINCT s.entity_id) = 1 AND min(s.entity_id) <> m.entity_id;
-- ...and one that mentions are decided to be has rows of its own again: no redirect leads away
-- from it (a namesake's arrival can send "Glazer" back to the article's own person)
CREATE OR REPLACE TEMP TABLE decided_targets AS
SELECT DISTINCT s.entity_id FROM staged_resolutions s JOIN entity_mention m USING (article_id, start_char, end_char);
DELETE FROM decided_redirects WHERE old_id IN (SELECT entity_id FROM decided_targets);
UPDATE entity_redirect SET new_id = d.new_id FROM decided_redirects d WHERE entity_redirect.new_id = d.old_id;
DELETE FROM entity_redirect WHERE old_id = new_id OR old_id IN (SELECT old_id FROM decided_redirects)
    OR old_id IN (SELECT entity_id FROM decided_targets);
DROP TABLE decided_targets;
INSERT INTO entity_redirect (old_id, new_id, reason, run_id, redirected_at)
SELECT old_id, new_id, 'decided', $1, $2 FROM decided_redirects;
DROP TABLE decided_redirects;
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
