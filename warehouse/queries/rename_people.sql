-- People whose most frequent name changed (registered Arrow table staged_names: entity_id,
-- canonical_name): the entity and the speakers named after it follow.
UPDATE entity SET canonical_name = s.canonical_name
FROM staged_names s WHERE entity.entity_id = s.entity_id AND entity.canonical_name <> s.canonical_name;
UPDATE quote SET speaker_name = s.canonical_name
FROM staged_names s WHERE quote.speaker_entity_id = s.entity_id AND quote.speaker_name <> s.canonical_name;
UPDATE attribution SET speaker_name = s.canonical_name
FROM staged_names s WHERE attribution.speaker_entity_id = s.entity_id AND attribution.speaker_name <> s.canonical_name;
