-- The request log on PostgreSQL (standalone): one JSONB document per predicted instance, parts merged by
-- upsert; raw payloads of multi-instance requests once per (request, part). Columns beside `doc` are the
-- fields searches filter and sort on, kept in step with the document by the upsert.
CREATE SCHEMA IF NOT EXISTS warden_logs;

CREATE TABLE warden_logs.instances (
    namespace   text        NOT NULL,
    deployment  text        NOT NULL,
    doc_id      text        NOT NULL,
    request_id  text        NOT NULL,
    endpoint    text,
    ts          timestamptz,
    is_outlier  boolean,
    doc         jsonb       NOT NULL,
    PRIMARY KEY (namespace, deployment, doc_id)
);

-- Newest first per deployment (the usual search), and by request id across everything.
CREATE INDEX instances_by_time ON warden_logs.instances
    (namespace, deployment, (COALESCE(ts, 'epoch'::timestamptz)) DESC, doc_id DESC);
CREATE INDEX instances_by_request ON warden_logs.instances (request_id);

CREATE TABLE warden_logs.payloads (
    namespace       text   NOT NULL,
    deployment      text   NOT NULL,
    request_id      text   NOT NULL,
    part            text   NOT NULL,
    content_type    text,
    size_bytes      bigint NOT NULL DEFAULT 0,
    payload         jsonb,
    rejected_reason text,
    PRIMARY KEY (namespace, deployment, request_id, part)
);
