-- The identity step's state as a run loads it: every (part, key, JSON value) row but the
-- short-mention records, which the step reads by key when it needs them
-- (identity_state_entries.sql).
SELECT part, key, value FROM identity_state WHERE part <> 'short'
