-- The ?1 sites with the most stored articles: the site a page names, else the feed's source.
SELECT coalesce(site_name, source, '(no site named)') AS site, count(*) AS articles
FROM article
GROUP BY ALL
ORDER BY articles DESC, site
LIMIT ?
