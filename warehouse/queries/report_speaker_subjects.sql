-- What the ?1 most-reported speakers linked to an entity talk about: the ?2 named entities
-- their attributions' contents name most often (view speaker_subjects).
WITH top AS (
    SELECT speaker_name, speaker_entity_id, attribution_count AS speaker_attributions
    FROM quoted_speakers
    WHERE speaker_entity_id IS NOT NULL AND attribution_count > 0
    ORDER BY attribution_count DESC, quote_count DESC, speaker_name
    LIMIT ?
)
SELECT s.speaker_name, s.subject_name, s.subject_label, s.attribution_count, s.article_count,
       t.speaker_attributions
FROM speaker_subjects s
JOIN top t ON t.speaker_name = s.speaker_name AND t.speaker_entity_id = s.speaker_entity_id
QUALIFY row_number() OVER (PARTITION BY s.speaker_name, s.speaker_entity_id
                           ORDER BY s.attribution_count DESC, s.subject_name) <= ?
ORDER BY t.speaker_attributions DESC, s.speaker_name, s.attribution_count DESC, s.subject_name
