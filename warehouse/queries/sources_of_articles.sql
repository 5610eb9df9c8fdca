-- The source keys the articles in $1 (a list) are stored under.
SELECT source_key FROM article_source WHERE article_id IN (SELECT unnest(?))
