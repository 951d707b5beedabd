"""The runtime's view of a deployment in the shape Seldon Deploy's `{base}/resources` answers: `list[Component]`.

One Component per predictor, named after it, holding Kubernetes-style lists: one Deployment (the predictor's
replica set), one Pod per MLServer process and one Service (where its replicas listen). The official SDK's models
read object metadata at the top level of each item (`name`, `namespace`, `labels`...), Kubernetes readers under
`metadata`, so both are given. Process details that have no Kubernetes home (pid, log lines) stay in the
`?view=processes` answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

CONTAINER = "mlserver"
LOOPBACK = "127.0.0.1"

# Replica state -> (pod phase, container state key, waiting/terminated reason)
_POD_STATES: dict[str, tuple[str, str, str | None]] = {
    "Ready": ("Running", "running", None),
    "Starting": ("Pending", "waiting", "ContainerCreating"),
    "Restarting": ("Pending", "waiting", "CrashLoopBackOff"),
    "Crashed": ("Running", "waiting", "CrashLoopBackOff"),
    "Failed": ("Failed", "terminated", "Error"),
    "Stopped": ("Succeeded", "terminated", "Completed"),
}


def components(resources: dict[str, Any]) -> list[dict[str, Any]]:
    """`resources` is `Runtime.resources()` (the processes view) of one deployment."""
    return [_component(resources, predictor) for predictor in resources.get("predictors") or []]


def _rfc3339(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(kind: str, api_version: str, name: str, namespace: str, labels: dict[str, str],
          created: str | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if created:
        metadata["creationTimestamp"] = created
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": api_version, "kind": kind, **metadata, "metadata": dict(metadata)}


def _component(resources: dict[str, Any], predictor: dict[str, Any]) -> dict[str, Any]:
    namespace, deployment = resources["namespace"], resources["name"]
    name = f"{deployment}-{predictor['name']}"
    labels = {
        "app.kubernetes.io/managed-by": "warden",
        "seldon-deployment-id": deployment,
        "seldon.io/predictor": predictor["name"],
    }
    replicas = predictor.get("replicas") or []
    pods = [_pod(name, namespace, labels, i, replica) for i, replica in enumerate(replicas)]
    return {
        "component": predictor["name"],
        "deployments": _list("DeploymentList", "apps/v1", [_deployment(name, namespace, labels, predictor, resources)]),
        "pods": _list("PodList", "v1", pods),
        "services": _list("ServiceList", "v1", [_service(name, namespace, labels, replicas)]),
    }


def _list(kind: str, api_version: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "items": items}


def _deployment(name: str, namespace: str, labels: dict[str, str], predictor: dict[str, Any],
                resources: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    wanted = len(predictor.get("replicas") or [])
    ready = int(predictor.get("ready_replicas") or 0)
    if predictor.get("error"):
        state, description = "Failed", predictor["error"]
    elif wanted and ready == wanted:
        state, description = "Available", None
    else:
        state, description = "Creating", f"{ready}/{wanted} replicas ready"
    status: dict[str, Any] = {"name": name, "replicas": wanted, "availableReplicas": ready, "status": state}
    if description:
        status["description"] = description
    return {
        **_meta("Deployment", "apps/v1", name, namespace, labels),
        "spec": {"replicas": wanted, "selector": {"matchLabels": labels}},
        "status": status,
    }


def _pod(deployment: str, namespace: str, labels: dict[str, str], index: int,
         replica: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    phase, state_key, reason = _POD_STATES.get(str(replica.get("state")), ("Unknown", "waiting", "Unknown"))
    started = _rfc3339(replica.get("started_at"))
    state: dict[str, Any]
    if state_key == "running":
        state = {"startedAt": started}
    else:
        state = {"reason": reason}
        if replica.get("reason"):
            state["message"] = replica["reason"]
    ready = phase == "Running" and state_key == "running"
    port = replica.get("port")
    annotations = {"warden.io/pid": str(replica["pid"])} if replica.get("pid") else None
    status: dict[str, Any] = {
        "phase": phase,
        "hostIP": LOOPBACK,
        "podIP": LOOPBACK,
        "startTime": started,
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        "containerStatuses": [{
            "name": CONTAINER, "ready": ready, "started": ready, "restartCount": int(replica.get("restarts") or 0),
            "state": {state_key: state}, "image": "mlserver",
        }],
    }  # fmt: skip
    if replica.get("reason") and not ready:
        status["message"] = replica["reason"]
    container: dict[str, Any] = {"name": CONTAINER, "image": "mlserver"}
    if port:
        container["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    return {
        **_meta("Pod", "v1", f"{deployment}-{index}", namespace, labels, started, annotations),
        "spec": {"containers": [container]},
        "status": status,
    }


def _service(name: str, namespace: str, labels: dict[str, str], replicas: list[dict[str, Any]]) -> dict[str, Any]:
    ports = [r["port"] for r in replicas if r.get("port")]
    ready = [r["port"] for r in replicas if r.get("port") and r.get("state") == "Ready"]
    status: dict[str, Any] = {"svcName": name}
    if ready:
        status["httpEndpoint"] = f"{LOOPBACK}:{ready[0]}"
    return {
        **_meta("Service", "v1", name, namespace, labels),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": LOOPBACK,
            "selector": labels,
            "ports": [{"name": f"http-{i}", "port": port, "protocol": "TCP"} for i, port in enumerate(ports)],
        },
        "status": status,
    }
