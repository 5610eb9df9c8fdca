-- Every source key the warehouse accounts for, stored or rejected: the planner finds other
-- spellings of a file among them.
SELECT source_key FROM source_seen;
