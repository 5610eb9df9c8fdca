-- The ?1 most-quoted speakers linked to an entity (unlinked ones are words like 'a spokesman').
SELECT speaker_name, speaker_label, quote_count, direct_quotes, partial_quotes, article_count
FROM quoted_speakers
WHERE speaker_entity_id IS NOT NULL
ORDER BY quote_count DESC, speaker_name
LIMIT ?
