-- Drop the entities a publish or a prune left without mentions (registered Arrow table
-- entity_deltas: the entities whose counts changed), unless a quote or an attribution still
-- names them as its speaker.
DELETE FROM entity
WHERE entity_id IN (SELECT entity_id FROM entity_deltas)
  AND mention_count = 0
  AND entity_id NOT IN (SELECT speaker_entity_id FROM quote WHERE speaker_entity_id IS NOT NULL)
  AND entity_id NOT IN (SELECT speaker_entity_id FROM attribution WHERE speaker_entity_id IS NOT NULL);
