-- $1 version, $2 file name, $3 when.
INSERT INTO schema_migration VALUES (?, ?, ?)
