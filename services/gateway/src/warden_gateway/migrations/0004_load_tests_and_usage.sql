-- Load-test jobs (issue 14): one row per job, so the list survives a restart; the runner's heartbeat tells a
-- job whose gateway died (reported as Failed, "interrupted") from one still running.
CREATE TABLE gateway.load_tests (
    namespace     text             NOT NULL,
    kind          text             NOT NULL,   -- the deployment kind's plural: seldondeployments | inferenceservices
    deployment    text             NOT NULL,
    name          text             NOT NULL,
    status        text             NOT NULL,   -- Pending | Running | Succeeded | Failed
    connections   integer          NOT NULL,
    requests      integer,                     -- the request count to send, or NULL when bounded by duration
    duration_s    double precision,            -- the duration to run for, or NULL when bounded by requests
    payload       jsonb            NOT NULL,
    path          text             NOT NULL,   -- the data-plane path the load goes to
    created_by    text             NOT NULL,
    created_at    timestamptz      NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    heartbeat_at  timestamptz,
    result        jsonb,
    reason        text,
    PRIMARY KEY (namespace, kind, deployment, name)
);

-- Usage samples (CPU, memory, processes) of each predictor's serving processes, taken periodically; old rows
-- are deleted past the configured retention.
CREATE TABLE gateway.usage_samples (
    ts            timestamptz      NOT NULL,
    namespace     text             NOT NULL,
    kind          text             NOT NULL,
    deployment    text             NOT NULL,
    predictor     text             NOT NULL,
    processes     integer          NOT NULL,
    cpu_cores     double precision NOT NULL,
    memory_bytes  bigint           NOT NULL,
    PRIMARY KEY (namespace, deployment, predictor, ts)
);
CREATE INDEX usage_samples_ts ON gateway.usage_samples (ts);
