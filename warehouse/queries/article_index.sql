-- What the planner needs to decide skip / enrich / duplicate for every stored article.
SELECT article_id, source_key, enrichment_version, content_hash
FROM article_source;
