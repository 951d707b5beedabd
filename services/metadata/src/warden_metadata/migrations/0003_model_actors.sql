-- Who registered and who last changed each catalog entry (issue 12: every change records the acting user). NULL for
-- entries written before, or by a caller no user was known for (auth off and no X-Warden-User header).
ALTER TABLE warden_metadata.models ADD COLUMN created_by text, ADD COLUMN updated_by text;
