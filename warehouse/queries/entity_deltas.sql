-- Per entity, how a publish changes its counts: minus the mentions of the replaced or
-- deleted articles (registered Arrow table removed_mentions: entity_id, mentions, articles),
-- plus the mentions the batch adds (registered Arrow table staged_mentions).
SELECT entity_id, sum(mentions)::BIGINT AS mentions, sum(articles)::BIGINT AS articles
FROM (
    SELECT entity_id, -mentions AS mentions, -articles AS articles FROM removed_mentions
    UNION ALL
    SELECT entity_id, count(*), count(DISTINCT article_id) FROM staged_mentions GROUP BY entity_id
)
GROUP BY entity_id
