-- Per entity, the mentions and articles that the article ids in $1 (a list) hold.
SELECT entity_id, count(*) AS mentions, count(DISTINCT article_id) AS articles
FROM entity_mention
WHERE article_id IN (SELECT unnest(?))
GROUP BY entity_id
