-- The identity step counts an article's evidence once (transforms/identity.py): the articles
-- counted are identity_state rows of part 'counted' (key: article id). A warehouse identified
-- before had counted every article it holds; their number among the counted is not known (0).

INSERT INTO identity_state (part, key, value)
SELECT 'counted', article_id, '0'
FROM article
WHERE EXISTS (SELECT 1 FROM identity_state WHERE part = 'n_articles')
  AND NOT EXISTS (SELECT 1 FROM identity_state WHERE part = 'counted');
