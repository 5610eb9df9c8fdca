-- (name, 'table' | 'view') of the main schema of the open database, tables first.
SELECT table_name, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind
FROM information_schema.tables
WHERE table_catalog = current_database() AND table_schema = 'main'
ORDER BY kind, table_name
