-- Named checks of `wirehouse doctor`. Each lists the ids of the rows that break one
-- invariant the pipeline guarantees; its comment says what those rows are. Checks named in
-- doctor.py's WARNING_CHECKS describe a legitimate state that needs attention; every other
-- row found is damage.

-- name: orphan_sentence
-- sentence rows whose article is not stored
SELECT article_id FROM sentence WHERE article_id NOT IN (SELECT article_id FROM article)

-- name: orphan_mention
-- entity_mention rows whose article is not stored
SELECT article_id FROM entity_mention WHERE article_id NOT IN (SELECT article_id FROM article)

-- name: orphan_quote
-- quote rows whose article is not stored
SELECT quote_id FROM quote WHERE article_id NOT IN (SELECT article_id FROM article)

-- name: mention_without_entity
-- entity_mention rows whose entity is not stored
SELECT entity_id FROM entity_mention WHERE entity_id NOT IN (SELECT entity_id FROM entity)

-- name: speaker_without_entity
-- quote speakers whose entity is not stored
SELECT quote_id FROM quote
WHERE speaker_entity_id IS NOT NULL AND speaker_entity_id NOT IN (SELECT entity_id FROM entity)

-- name: duplicate_article
-- article ids stored more than once
SELECT article_id FROM article GROUP BY article_id HAVING count(*) > 1

-- name: duplicate_entity
-- entity ids stored more than once
SELECT entity_id FROM entity GROUP BY entity_id HAVING count(*) > 1

-- name: duplicate_quote
-- quote ids stored more than once
SELECT quote_id FROM quote GROUP BY quote_id HAVING count(*) > 1

-- name: duplicate_mention
-- mentions stored more than once (same article and offsets)
SELECT article_id FROM entity_mention GROUP BY article_id, start_char, end_char HAVING count(*) > 1

-- name: duplicate_sentence
-- sentences stored more than once (same article and index)
SELECT article_id FROM sentence GROUP BY article_id, sentence_index HAVING count(*) > 1

-- name: duplicate_source
-- sources holding more than one stored article
SELECT source_key FROM article_source GROUP BY source_key HAVING count(*) > 1

-- name: mention_offsets
-- mentions whose offsets do not slice the body to their text
SELECT m.article_id FROM entity_mention m JOIN article a USING (article_id)
WHERE m.start_char < 0 OR m.end_char > length(a.body) OR m.start_char >= m.end_char
   OR substr(a.body, m.start_char + 1, m.end_char - m.start_char) <> m.mention_text

-- name: quote_offsets
-- quotes whose offsets do not slice the body to their text
SELECT q.quote_id FROM quote q JOIN article a USING (article_id)
WHERE q.start_char < 0 OR q.end_char > length(a.body) OR q.start_char >= q.end_char
   OR substr(a.body, q.start_char + 1, q.end_char - q.start_char) <> q.quote_text

-- name: article_without_sentences
-- articles stored without any sentence (a partial article)
SELECT article_id FROM article
WHERE sentence_count > 0 AND article_id NOT IN (SELECT article_id FROM sentence)

-- name: sentence_count
-- articles whose sentence_count differs from their sentence rows
SELECT a.article_id FROM article a
LEFT JOIN (SELECT article_id, count(*) AS n FROM sentence GROUP BY article_id) s USING (article_id)
WHERE a.sentence_count <> coalesce(s.n, 0)

-- name: entity_counts
-- entities whose mention_count or article_count differs from their mentions
SELECT e.entity_id FROM entity e
LEFT JOIN (SELECT entity_id, count(*) AS mentions, count(DISTINCT article_id) AS articles
           FROM entity_mention GROUP BY entity_id) m USING (entity_id)
WHERE e.mention_count <> coalesce(m.mentions, 0) OR e.article_count <> coalesce(m.articles, 0)

-- name: rejected_and_loaded
-- inputs stored from an earlier run whose latest read was rejected (the stored version stays
-- until the input loads again or is pruned)
SELECT source_key FROM rejected_document WHERE source_key IN (SELECT source_key FROM article_source)

-- name: identity_evidence_of_gone_articles
-- articles no longer stored (replaced, pruned or rejected) whose names still count in the
-- identity step's evidence (identity_state keeps totals, so it cannot take one article out)
SELECT key FROM identity_state WHERE part = 'counted' AND key NOT IN (SELECT article_id FROM article)

-- name: unaccounted_source
-- inputs a run saw that are neither stored nor rejected (the warehouse's accounting identity)
SELECT source_key FROM source_seen
WHERE source_key NOT IN (SELECT source_key FROM article_source)
  AND source_key NOT IN (SELECT source_key FROM rejected_document)

-- name: orphan_attribution
-- attribution rows whose article is not stored
SELECT attribution_id FROM attribution WHERE article_id NOT IN (SELECT article_id FROM article)

-- name: attribution_speaker_without_entity
-- attribution speakers whose entity is not stored
SELECT attribution_id FROM attribution
WHERE speaker_entity_id IS NOT NULL AND speaker_entity_id NOT IN (SELECT entity_id FROM entity)

-- name: duplicate_attribution
-- attribution ids stored more than once
SELECT attribution_id FROM attribution GROUP BY attribution_id HAVING count(*) > 1

-- name: attribution_offsets
-- attributions whose content, cue or source offsets do not slice the body to their text
SELECT t.attribution_id FROM attribution t JOIN article a USING (article_id)
WHERE t.content_start_char < 0 OR t.content_end_char > length(a.body) OR t.content_start_char >= t.content_end_char
   OR substr(a.body, t.content_start_char + 1, t.content_end_char - t.content_start_char) <> t.content_text
   OR (t.cue_start_char IS NOT NULL
       AND substr(a.body, t.cue_start_char + 1, t.cue_end_char - t.cue_start_char) IS DISTINCT FROM t.cue_text)
   OR (t.source_start_char IS NOT NULL
       AND substr(a.body, t.source_start_char + 1, t.source_end_char - t.source_start_char)
           IS DISTINCT FROM t.source_text)

-- name: quote_without_attribution
-- quotes pointing at an attribution that is not stored
SELECT quote_id FROM quote
WHERE attribution_id IS NOT NULL AND attribution_id NOT IN (SELECT attribution_id FROM attribution)

-- name: orphan_resolution
-- entity_resolution rows whose mention is not stored
SELECT r.article_id FROM entity_resolution r
WHERE NOT EXISTS (SELECT 1 FROM entity_mention m
                  WHERE m.article_id = r.article_id AND m.start_char = r.start_char AND m.end_char = r.end_char)

-- name: redirect_from_stored_entity
-- redirects leading away from an entity that has rows of its own (left by versions before
-- 12; the next publish of that entity drops them)
SELECT r.old_id FROM entity_redirect r
WHERE r.old_id = r.new_id OR r.old_id IN (SELECT entity_id FROM entity)

-- name: speaker_without_mention
-- quotes whose speaker is an entity with no mention left (a speaker kept when its person's
-- mentions were decided again, before schema 10, which repairs them)
SELECT q.quote_id FROM quote q
WHERE q.speaker_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM entity_mention m WHERE m.entity_id = q.speaker_entity_id)

-- name: attribution_speaker_without_mention
-- attributions whose speaker is an entity with no mention left (as speaker_without_mention)
SELECT a.attribution_id FROM attribution a
WHERE a.speaker_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM entity_mention m WHERE m.entity_id = a.speaker_entity_id)
