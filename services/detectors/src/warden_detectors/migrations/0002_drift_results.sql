-- One row per closed drift window of a drift detector: its answer and per-feature scores, or why it was skipped.
CREATE SCHEMA IF NOT EXISTS warden_detectors;

CREATE TABLE warden_detectors.drift_results (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace          text COLLATE "C" NOT NULL,
    deployment_kind    text COLLATE "C" NOT NULL,
    deployment         text COLLATE "C" NOT NULL,
    detector           text COLLATE "C" NOT NULL,
    window_start       timestamptz NOT NULL,
    window_end         timestamptz NOT NULL,
    rows               integer NOT NULL,
    algorithm          text NOT NULL,
    drift_type         text NOT NULL CHECK (drift_type IN ('batch', 'feature')),
    skipped            text,
    is_drift           boolean,
    -- Scores as alibi-detect gives them: one number for the window, or one per feature (JSON arrays).
    p_val              jsonb,
    distance           jsonb,
    threshold          jsonb,
    distance_threshold double precision,
    feature_is_drift   jsonb,
    feature_threshold  double precision,
    feature_names      jsonb,
    data_type          text,
    version            text,   -- of alibi-detect, which tested the window
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((skipped IS NULL) = (is_drift IS NOT NULL))
);

-- The timeline: one detector's windows by end time, keyset-paged on (window_end, id).
CREATE INDEX drift_results_timeline_idx
    ON warden_detectors.drift_results (namespace, deployment_kind, deployment, detector, window_end, id);
