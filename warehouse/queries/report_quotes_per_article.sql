-- How many articles hold 0, 1, 2, ... quotes.
SELECT quotes, count(*) AS articles
FROM article_overview
GROUP BY quotes
ORDER BY quotes
