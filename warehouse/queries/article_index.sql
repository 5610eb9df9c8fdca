-- What the planner needs to decide skip / enrich / duplicate for every stored article.
SELECT article_id, source_key, enrichment_version
FROM article_source;
