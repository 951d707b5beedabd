"""The runtime's processes view turned into Seldon Deploy's `list[Component]`."""

from __future__ import annotations

from warden_serving.api.components import components

RESOURCES = {
    "namespace": "ns",
    "name": "iris",
    "kind": "SeldonDeployment",
    "status": "Creating",
    "reason": None,
    "predictors": [
        {
            "name": "default", "traffic": 100, "shadow": False, "model_uri": "file:///m", "ready_replicas": 1,
            "implementation": "SKLEARN_SERVER", "model_name": "classifier", "error": None,
            "replicas": [
                {"name": "r0", "pid": 41, "port": 8001, "state": "Ready", "restarts": 0, "started_at": 0.0,
                 "reason": None, "logs": []},
                {"name": "r1", "pid": 42, "port": 8002, "state": "Restarting", "restarts": 2, "started_at": 60.0,
                 "reason": "exit code 1: boom", "logs": []},
            ],
        },
        {
            "name": "canary", "traffic": 0, "shadow": False, "model_uri": "s3://gone", "ready_replicas": 0,
            "implementation": "XGBOOST_SERVER", "model_name": "classifier",
            "error": "cannot fetch model s3://gone", "replicas": [],
        },
    ],
}  # fmt: skip


def test_one_component_per_predictor_with_its_deployment_pods_and_service() -> None:
    default, canary = components(RESOURCES)
    assert (default["component"], canary["component"]) == ("default", "canary")
    [deployment] = default["deployments"]["items"]
    assert deployment["name"] == deployment["metadata"]["name"] == "iris-default"
    assert deployment["status"] == {
        "name": "iris-default", "replicas": 2, "availableReplicas": 1, "status": "Creating",
        "description": "1/2 replicas ready",
    }  # fmt: skip
    ready, restarting = default["pods"]["items"]
    assert ready["status"]["phase"] == "Running" and ready["status"]["containerStatuses"][0]["ready"] is True
    assert ready["status"]["startTime"] == "1970-01-01T00:00:00Z" and ready["annotations"] == {"warden.io/pid": "41"}
    assert restarting["status"]["phase"] == "Pending"
    waiting = restarting["status"]["containerStatuses"][0]
    assert waiting["restartCount"] == 2 and waiting["state"] == {
        "waiting": {"reason": "CrashLoopBackOff", "message": "exit code 1: boom"}
    }
    [service] = default["services"]["items"]
    assert service["status"] == {"svcName": "iris-default", "httpEndpoint": "127.0.0.1:8001"}
    assert [p["port"] for p in service["spec"]["ports"]] == [8001, 8002]


def test_a_predictor_that_cannot_start_is_a_failed_deployment_without_pods() -> None:
    canary = components(RESOURCES)[1]
    assert canary["deployments"]["items"][0]["status"]["status"] == "Failed"
    assert "cannot fetch" in canary["deployments"]["items"][0]["status"]["description"]
    assert canary["pods"]["items"] == [] and "httpEndpoint" not in canary["services"]["items"][0]["status"]
