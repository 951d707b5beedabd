-- The model catalog and the runtime table (which model runs where), in the service's own schema.
CREATE SCHEMA IF NOT EXISTS warden_metadata;

-- String columns use the "C" collation: the query language compares strings byte-wise ("lexical"), the
-- same on every server whatever its locale, and plain btree indexes then serve those comparisons.
CREATE TABLE warden_metadata.models (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uri               text COLLATE "C" NOT NULL,
    name              text COLLATE "C",
    version           text COLLATE "C",
    artifact_type     text COLLATE "C" NOT NULL DEFAULT 'UNKNOWN',
    task_type         text COLLATE "C",
    tags              jsonb NOT NULL DEFAULT '{}'::jsonb,
    metrics           jsonb NOT NULL DEFAULT '{}'::jsonb,
    prediction_schema jsonb,
    project           text COLLATE "C" NOT NULL DEFAULT 'default',
    runtime_defaults  jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT models_uri_key UNIQUE (uri),
    CONSTRAINT models_name_version_key UNIQUE (name, version)
);

CREATE INDEX models_version_idx ON warden_metadata.models (version);
CREATE INDEX models_project_idx ON warden_metadata.models (project, id);
CREATE INDEX models_tags_idx ON warden_metadata.models USING gin (tags jsonb_path_ops);

CREATE TABLE warden_metadata.runtime_metadata (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_uri            text COLLATE "C" NOT NULL,
    deployment_namespace text COLLATE "C" NOT NULL,
    deployment_name      text COLLATE "C" NOT NULL,
    deployment_type      text COLLATE "C" NOT NULL,
    deployment_uid       text COLLATE "C",
    predictor_name       text COLLATE "C" NOT NULL,
    node_name            text COLLATE "C" NOT NULL,
    deployment_status    text COLLATE "C" NOT NULL DEFAULT 'Unknown',
    traffic              integer,
    shadow               boolean NOT NULL DEFAULT false,
    explainer            boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT runtime_metadata_placement_key
        UNIQUE (deployment_namespace, deployment_name, deployment_type, predictor_name, node_name, model_uri)
);

CREATE INDEX runtime_metadata_model_uri_idx ON warden_metadata.runtime_metadata (model_uri);
