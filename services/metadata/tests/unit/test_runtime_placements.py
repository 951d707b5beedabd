"""Reading model placements off SeldonDeployment / InferenceService objects."""

from __future__ import annotations

from warden_common.events.deployments import PredictorSummary
from warden_metadata.runtime import Placement, placements, runtime_status


def test_seldon_graph_nodes_explainer_and_summaries() -> None:
    sdep = {
        "spec": {
            "predictors": [
                {
                    "name": "main",
                    "traffic": 80,
                    "graph": {
                        "name": "router",
                        "children": [
                            {"name": "a", "implementation": "XGBOOST_SERVER", "modelUri": "gs://a"},
                            {"name": "b", "modelUri": "gs://b", "children": [{"name": "c", "modelUri": "gs://c"}]},
                        ],
                    },
                    "explainer": {"type": "AnchorTabular", "modelUri": "gs://exp"},
                },
                {"name": "shadow", "shadow": True, "graph": {"name": "a", "modelUri": "gs://a2"}},
            ]
        }
    }
    summaries = [PredictorSummary(name="main", model_uris=["gs://a", "gs://extra"], traffic=80)]
    found = {(p.predictor_name, p.node_name): p for p in placements("SeldonDeployment", sdep, summaries)}
    assert found[("main", "a")] == Placement("gs://a", "main", "a", 80, False, False, "XGBOOST")
    assert found[("main", "c")].model_uri == "gs://c" and found[("main", "c")].artifact_type == "CUSTOM"
    assert found[("main", "explainer")].explainer and found[("main", "explainer")].artifact_type == "ALIBI_EXPLAIN"
    assert found[("shadow", "a")].shadow
    assert found[("main", "main")].model_uri == "gs://extra"  # only in the summary
    assert len(found) == 6


def test_inference_service_v1beta1_and_v1alpha2() -> None:
    v1beta1 = {"spec": {"predictor": {"model": {"modelFormat": {"name": "onnx"}, "storageUri": "s3://m"}}}}
    assert placements("InferenceService", v1beta1, []) == [
        Placement("s3://m", "default", "predictor", artifact_type="ONNX")
    ]
    v1alpha2 = {
        "spec": {
            "default": {"predictor": {"tensorflow": {"storageUri": "gs://tf"}}},
            "canary": {"predictor": {"pytorch": {"storageUri": "gs://pt"}}},
        }
    }
    got = sorted((p.predictor_name, p.model_uri, p.artifact_type) for p in placements("InferenceService", v1alpha2, []))
    assert got == [("canary", "gs://pt", "PYTORCH"), ("default", "gs://tf", "TENSORFLOW")]


def test_status_folding() -> None:
    assert [runtime_status(s) for s in ("Available", "Ready", "Stopped", "Creating", "Failed", None)] == [
        "Running",
        "Running",
        "Stopped",
        "Unknown",
        "Unknown",
        "Unknown",
    ]
