SELECT count(DISTINCT article_id) FROM quarantine
