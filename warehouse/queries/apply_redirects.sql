-- Entities that turned out to be others (registered Arrow table staged_redirects: old_id,
-- new_id, reason, canonical_name and label of the new one): rows follow the new id (person
-- resolutions only to a person), the new entity exists, older redirects to the old id point
-- at the new one (none at itself), and the redirect is kept.
-- $1 run id, $2 time.
INSERT INTO entity (entity_id, canonical_name, label, mention_count, article_count)
SELECT DISTINCT ON (r.new_id) r.new_id, r.canonical_name, r.label, 0, 0
FROM staged_redirects r
WHERE NOT EXISTS (SELECT 1 FROM entity e WHERE e.entity_id = r.new_id);
UPDATE entity_mention SET entity_id = r.new_id, label = r.label
FROM staged_redirects r WHERE entity_mention.entity_id = r.old_id;
UPDATE quote SET speaker_entity_id = r.new_id, speaker_name = r.canonical_name
FROM staged_redirects r WHERE quote.speaker_entity_id = r.old_id;
UPDATE attribution SET speaker_entity_id = r.new_id, speaker_name = r.canonical_name
FROM staged_redirects r WHERE attribution.speaker_entity_id = r.old_id;
-- a resolution explains a person mention: a name that is no person any more has none
DELETE FROM entity_resolution
WHERE entity_id IN (SELECT old_id FROM staged_redirects WHERE label <> 'PERSON');
UPDATE entity_resolution SET entity_id = r.new_id
FROM staged_redirects r WHERE entity_resolution.entity_id = r.old_id;
UPDATE entity_redirect SET new_id = r.new_id
FROM staged_redirects r WHERE entity_redirect.new_id = r.old_id;
-- a name relabelled back (GPE -> ORG -> GPE) leads nowhere else
DELETE FROM entity_redirect WHERE old_id = new_id;
INSERT INTO entity_redirect (old_id, new_id, reason, run_id, redirected_at)
SELECT old_id, new_id, reason, $1, $2 FROM staged_redirects;
