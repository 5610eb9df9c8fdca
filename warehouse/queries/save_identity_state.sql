-- Replace the identity state's entries a batch changed (registered Arrow table staged_state:
-- part, key, value; a NULL value deletes the entry).
DELETE FROM identity_state
WHERE (part, key) IN (SELECT (part, key) FROM staged_state);
INSERT INTO identity_state (part, key, value)
SELECT part, key, value FROM staged_state WHERE value IS NOT NULL;
