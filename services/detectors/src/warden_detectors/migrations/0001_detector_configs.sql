-- Detector configurations (outlier detectors, drift detectors, metrics servers), one row per detector of a
-- deployment: what the API stores and what the runtime loads at every start, so a detector survives restarts.
CREATE SCHEMA IF NOT EXISTS warden_detectors;

CREATE TABLE warden_detectors.detector_configs (
    namespace        text COLLATE "C" NOT NULL,
    deployment_kind  text COLLATE "C" NOT NULL CHECK (deployment_kind IN ('SeldonDeployment', 'InferenceService')),
    deployment_name  text COLLATE "C" NOT NULL,
    kind             text COLLATE "C" NOT NULL,
    name             text COLLATE "C" NOT NULL,
    detector_type    text COLLATE "C" NOT NULL,
    config           jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, deployment_kind, deployment_name, kind, name)
);
