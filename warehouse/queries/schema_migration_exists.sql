-- 1 when the file has been migrated at least once (a Wirehouse warehouse), else 0.
SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'
