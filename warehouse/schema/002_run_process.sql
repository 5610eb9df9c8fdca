-- The process that ran each run, so `wirehouse doctor` can tell a live run from a killed one.
ALTER TABLE pipeline_run ADD COLUMN IF NOT EXISTS pid INTEGER;
ALTER TABLE pipeline_run ADD COLUMN IF NOT EXISTS host VARCHAR;
