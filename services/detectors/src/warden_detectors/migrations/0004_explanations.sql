-- One explainer per deployment (its spec as given), and every explanation computed, kept to be shown again.
CREATE TABLE detectors_explainers (
    namespace   text NOT NULL,
    kind        text NOT NULL,
    deployment  text NOT NULL,
    spec        jsonb NOT NULL,
    source      text NOT NULL,          -- 'api' or 'deployment' (a predictor's explainer section)
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, kind, deployment)
);

CREATE TABLE detectors_explanations (
    id             uuid PRIMARY KEY,
    namespace      text NOT NULL,
    kind           text NOT NULL,
    deployment     text NOT NULL,
    request_id     text,                -- the logged request explained (NULL for a payload sent as is)
    instance       integer NOT NULL DEFAULT 0,
    explainer_type text NOT NULL,
    status         text NOT NULL,       -- running | succeeded | failed
    result         jsonb,               -- alibi's explanation ({"meta", "data"})
    error          jsonb,               -- {"code", "reason", "message"} when failed
    created_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);

CREATE INDEX detectors_explanations_by_request
    ON detectors_explanations (namespace, kind, deployment, request_id, created_at DESC);
