-- Views over the core tables, recreated by every run (CREATE OR REPLACE).

-- Where each stored article came from, as the key the loader uses.
CREATE OR REPLACE VIEW article_source AS
SELECT article_id,
       CASE WHEN source_line IS NULL THEN source_path ELSE source_path || '#' || source_line END AS source_key,
       enrichment_version
FROM article;
