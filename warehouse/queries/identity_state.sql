-- The identity step's state: every (part, key, JSON value) row.
SELECT part, key, value FROM identity_state
