-- The sync status of each namespace repository (`GET /namespaces/{ns}/gitops-status`): kept across restarts and the
-- same for every reader. `recently_applied`: the last 20 deployment files taken from the remote, oldest first.
CREATE SCHEMA IF NOT EXISTS warden_gitops;

CREATE TABLE warden_gitops.sync_status (
    namespace           text COLLATE "C" PRIMARY KEY,
    last_synced_commit  text,
    last_sync_time      timestamptz,
    last_error          text,
    last_error_time     timestamptz,
    recently_applied    jsonb NOT NULL DEFAULT '[]'::jsonb
);
