-- The stored articles whose source keys are in $1 (a list).
SELECT article_id FROM article_source WHERE source_key IN (SELECT unnest(?))
