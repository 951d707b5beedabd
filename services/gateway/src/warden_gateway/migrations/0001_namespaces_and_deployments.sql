-- Namespaces and the SeldonDeployment / InferenceService objects in them, Kubernetes-style.
CREATE SCHEMA IF NOT EXISTS gateway;

-- One counter for every object, like etcd's revision: a resourceVersion is unique across kinds.
CREATE SEQUENCE gateway.resource_version;

CREATE TABLE gateway.namespaces (
    name             text        PRIMARY KEY,
    uid              uuid        NOT NULL UNIQUE,
    labels           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    annotations      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    resource_version bigint      NOT NULL DEFAULT nextval('gateway.resource_version'),
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- The data plane addresses a deployment by namespace and name only (/seldon/{ns}/{name}), so a name is unique
-- in its namespace across both kinds.
CREATE TABLE gateway.deployments (
    namespace        text        NOT NULL REFERENCES gateway.namespaces (name),
    name             text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('SeldonDeployment', 'InferenceService')),
    uid              uuid        NOT NULL UNIQUE,
    generation       bigint      NOT NULL,
    resource_version bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    body             jsonb       NOT NULL,  -- the object as submitted (nulls pruned), without status
    status           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    stable_predictor jsonb,                 -- InferenceService: the rolled-out predictor while a canary runs
    PRIMARY KEY (namespace, name)
);

-- The namespace the docs' demos deploy into, visible to everyone (seldon.restricted=false, docs 7.6.2.1).
INSERT INTO gateway.namespaces (name, uid, labels)
VALUES ('seldon', gen_random_uuid(), '{"seldon.restricted": "false"}'::jsonb);
