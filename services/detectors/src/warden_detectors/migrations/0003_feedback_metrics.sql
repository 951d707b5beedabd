-- Feedback counts of the metrics servers, summed per time bucket (one minute by default) so that any time range
-- is summarised by SQL sums over a few rows per minute, whatever the feedback volume.
-- True negatives are not stored: over any range a class's TN is the range's rows minus its TP, FP and FN
-- (one-vs-rest), which stays right for classes first seen late in the range.
CREATE SCHEMA IF NOT EXISTS warden_detectors;

-- Every feedback row counted, and how many of them were predicted right, per bucket.
CREATE TABLE warden_detectors.feedback_rows (
    namespace       text COLLATE "C" NOT NULL,
    deployment_kind text COLLATE "C" NOT NULL,
    deployment      text COLLATE "C" NOT NULL,
    detector        text COLLATE "C" NOT NULL,
    bucket          timestamptz NOT NULL,
    rows            bigint NOT NULL CHECK (rows >= 0),
    correct         bigint NOT NULL CHECK (correct >= 0 AND correct <= rows),
    PRIMARY KEY (namespace, deployment_kind, deployment, detector, bucket)
);

-- One-vs-rest counts per class label (`CLASS_<n>`) and bucket; only classes with a TP, FP or FN in the bucket.
CREATE TABLE warden_detectors.feedback_class_counts (
    namespace       text COLLATE "C" NOT NULL,
    deployment_kind text COLLATE "C" NOT NULL,
    deployment      text COLLATE "C" NOT NULL,
    detector        text COLLATE "C" NOT NULL,
    bucket          timestamptz NOT NULL,
    class_label     text COLLATE "C" NOT NULL,
    tp              bigint NOT NULL CHECK (tp >= 0),
    fp              bigint NOT NULL CHECK (fp >= 0),
    fn              bigint NOT NULL CHECK (fn >= 0),
    PRIMARY KEY (namespace, deployment_kind, deployment, detector, bucket, class_label)
);
