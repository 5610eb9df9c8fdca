-- What a web page says about its article, and the page's own hash: an unchanged page is
-- skipped on the next run by comparing content_hash, before its article is extracted.
ALTER TABLE article ADD COLUMN IF NOT EXISTS site_name VARCHAR;
ALTER TABLE article ADD COLUMN IF NOT EXISTS authors VARCHAR[];
ALTER TABLE article ADD COLUMN IF NOT EXISTS language VARCHAR;
-- where published_at came from: 'published' (the page or the feed gives it), 'crawled' (a
-- WARC's crawl date, when the page gives none); NULL when published_at is NULL
ALTER TABLE article ADD COLUMN IF NOT EXISTS date_basis VARCHAR;
ALTER TABLE article ADD COLUMN IF NOT EXISTS content_hash VARCHAR;
