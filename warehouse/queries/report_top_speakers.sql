-- The ?1 speakers with the most attributions (quoted or reported), among those linked to an
-- entity (unlinked ones are words like 'a spokesman').
SELECT speaker_name, speaker_label, attribution_count, direct_attributions, mixed_attributions,
       indirect_attributions, quote_count, article_count
FROM quoted_speakers
WHERE speaker_entity_id IS NOT NULL
ORDER BY attribution_count DESC, quote_count DESC, speaker_name
LIMIT ?
