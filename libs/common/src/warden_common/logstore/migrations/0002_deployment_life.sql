-- Which life of a deployment name served each instance (the deployment's uid, when the serving runtime said):
-- a deployment deleted and created again under the same name starts with its own log. Kept in step with
-- `doc->>'deploymentUid'` by the upsert; rows logged before this column existed stay NULL (no life known).
ALTER TABLE warden_logs.instances ADD COLUMN deployment_uid text;
