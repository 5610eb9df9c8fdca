-- Which of the article ids in $1 (a list) are stored. Most of a batch is new, so this is
-- asked of article before the mention, quote and sentence tables are scanned for them.
SELECT article_id FROM article WHERE article_id IN (SELECT unnest(?))
