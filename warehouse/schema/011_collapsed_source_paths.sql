-- Source paths start at the seeds folder made absolute with "." and ".." collapsed
-- (ingest.seeds_root). Before, a folder spelt with them ("--seeds ../shared/bbc") gave
-- other keys than the same folder spelt plainly, and each file of the second spelling was
-- rejected as a duplicate of itself. Stored paths are collapsed the same way (up to four
-- ".." each); a source then known twice is one: a rejection of a source now stored (as a
-- duplicate of itself) and its second `source_seen` row go.
CREATE TEMP MACRO collapsed(p) AS
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(p, '/(\./)+', '/', 'g'),
        '/([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)/\.\./', '/'),
        '/([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)/\.\./', '/'),
        '/([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)/\.\./', '/'),
        '/([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)/\.\./', '/');
CREATE TEMP TABLE stored_key AS
SELECT CASE WHEN source_line IS NULL THEN collapsed(source_path)
            ELSE collapsed(source_path) || '#' || source_line END AS source_key
FROM article;
DELETE FROM rejected_document
WHERE collapsed(source_key) IN (SELECT source_key FROM stored_key)
   OR (collapsed(source_key) <> source_key AND collapsed(source_key) IN (SELECT source_key FROM rejected_document));
UPDATE rejected_document SET source_key = collapsed(source_key), source_path = collapsed(source_path)
WHERE collapsed(source_key) <> source_key;
DELETE FROM source_seen
WHERE collapsed(source_key) <> source_key AND collapsed(source_key) IN (SELECT source_key FROM source_seen);
UPDATE source_seen SET source_key = collapsed(source_key) WHERE collapsed(source_key) <> source_key;
UPDATE article SET source_path = collapsed(source_path) WHERE collapsed(source_path) <> source_path;
DROP TABLE stored_key;
DROP MACRO collapsed;
