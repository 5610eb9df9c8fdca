-- Rejections of the sources in $1 (a list) that hold no article: each is another spelling
-- of a source the run read under its stored key. Returns the keys, to forget as seen too.
DELETE FROM rejected_document
WHERE source_key IN (SELECT unnest(?))
  AND source_key NOT IN (SELECT source_key FROM article_source)
RETURNING source_key
