-- The most-mentioned entities of each label in ?1 (a list), ?2 per label.
SELECT label, canonical_name, mention_count, article_count
FROM entity
WHERE label IN (SELECT unnest(?)) AND mention_count > 0
QUALIFY row_number() OVER (PARTITION BY label ORDER BY mention_count DESC, canonical_name) <= ?
ORDER BY label, mention_count DESC, canonical_name
