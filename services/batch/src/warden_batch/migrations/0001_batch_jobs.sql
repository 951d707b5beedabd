-- Batch jobs: their definition and state (durable: a restarted service resumes them), and the output of every
-- completed chunk of input lines (the checkpoint: a chunk stored here is never processed again). The chunks are
-- written out in input order to the output location when the job completes, then deleted.
CREATE SCHEMA IF NOT EXISTS warden_batch;

CREATE TABLE warden_batch.jobs (
    uid              uuid PRIMARY KEY,
    name             text COLLATE "C" NOT NULL,
    namespace        text COLLATE "C" NOT NULL,
    deployment_kind  text COLLATE "C" NOT NULL CHECK (deployment_kind IN ('SeldonDeployment', 'InferenceService')),
    deployment_name  text COLLATE "C" NOT NULL,
    definition       jsonb NOT NULL,
    output_uri       text NOT NULL,
    status           text COLLATE "C" NOT NULL DEFAULT 'Pending',
    message          text,
    created_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    total_lines      bigint,
    done_lines       bigint NOT NULL DEFAULT 0,
    failed_lines     bigint NOT NULL DEFAULT 0,
    run_started_at   timestamptz,
    run_start_lines  bigint NOT NULL DEFAULT 0,
    cancel_requested boolean NOT NULL DEFAULT false,
    lease_owner      text,
    lease_until      timestamptz,
    UNIQUE (namespace, deployment_kind, deployment_name, name)
);

CREATE INDEX jobs_runnable ON warden_batch.jobs (created_at) WHERE status IN ('Pending', 'Running');

CREATE TABLE warden_batch.chunks (
    job_uid     uuid NOT NULL REFERENCES warden_batch.jobs (uid) ON DELETE CASCADE,
    chunk       bigint NOT NULL,
    lines       integer NOT NULL,
    failed      integer NOT NULL,
    output      text NOT NULL,
    PRIMARY KEY (job_uid, chunk)
);
