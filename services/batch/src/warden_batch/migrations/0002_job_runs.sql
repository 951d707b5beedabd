-- How many times a job was claimed (started or resumed): a job whose runner keeps dying (killed, out of memory)
-- ends `Failed` after WARDEN_BATCH_MAX_RUNS instead of being resumed forever.
ALTER TABLE warden_batch.jobs ADD COLUMN runs integer NOT NULL DEFAULT 0;
