-- An article whose feed or table gave its date says so: `date_basis` is 'published' (web
-- pages said 'published' or 'crawled' already). Rows written before kept NULL there, which
-- only the `article_date` view read as 'published'.
UPDATE article SET date_basis = 'published' WHERE date_basis IS NULL AND published_at IS NOT NULL;
