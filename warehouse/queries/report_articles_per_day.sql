-- Stored articles per day and where the day comes from (view article_date): 'published'
-- (the page or the feed gives it), 'crawled' (a WARC's crawl date), 'ingested' (no date).
SELECT article_date AS day, date_basis, count(*) AS articles
FROM article_date
GROUP BY ALL
ORDER BY day, date_basis
