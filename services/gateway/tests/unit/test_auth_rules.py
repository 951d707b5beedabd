"""What each request needs, from method and path (the table the middleware decides on)."""

from __future__ import annotations

import pytest

from warden_gateway.authz.rules import API, Requirement, requirement

MOUNTED = frozenset({"metadata", "request-logger", "serving"})
_IRIS = ("seldondeployments", "iris")
_LOAD_TESTS = f"{API}/namespaces/a/seldondeployments/iris/loadtestjobs"


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/health/ready", Requirement("exempt")),
        ("GET", "/request-logger/metrics", Requirement("exempt")),
        ("GET", "/.well-known/openid-configuration", Requirement("exempt")),
        ("POST", "/oauth2/token", Requirement("exempt")),
        ("GET", f"{API}/namespaces", Requirement("namespaces_list")),
        ("POST", f"{API}/namespaces", Requirement("admin", "write")),
        ("GET", f"{API}/namespaces/team-a", Requirement("namespace", "read", "team-a")),
        ("PUT", f"{API}/namespaces/team-a", Requirement("admin", "write")),
        ("DELETE", f"{API}/namespaces/team-a", Requirement("admin", "write")),
        (
            "GET",
            f"{API}/namespaces/a/seldondeployments",
            Requirement("namespace", "read", "a", collection="seldondeployments"),
        ),
        (
            "POST",
            f"{API}/namespaces/a/inferenceservices",
            Requirement("namespace", "write", "a", collection="inferenceservices"),
        ),
        ("POST", f"{API}/namespaces/a/seldondeployments/validate", Requirement("namespace", "read", "a")),
        ("GET", _LOAD_TESTS, Requirement("namespace", "read", "a", _IRIS)),
        ("POST", _LOAD_TESTS, Requirement("namespace", "write", "a", _IRIS)),
        ("DELETE", f"{_LOAD_TESTS}/lt-1", Requirement("namespace", "write", "a", _IRIS)),
        ("GET", f"{API}/namespaces/a/usage", Requirement("namespace", "read", "a")),
        ("GET", f"{API}/usage", Requirement("admin", "write")),
        (
            "GET",
            f"{API}/namespaces/a/seldondeployments/iris/gitlogs",
            Requirement("namespace", "read", "a", ("seldondeployments", "iris")),
        ),
        (
            "GET",
            f"{API}/namespaces/a/seldondeployments/iris/gitrestore",
            Requirement("namespace", "write", "a", ("seldondeployments", "iris")),
        ),
        (
            "GET",
            f"{API}/namespaces/a/inferenceservices/iris/gitrevert",
            Requirement("namespace", "write", "a", ("inferenceservices", "iris")),
        ),
        (
            "POST",
            f"{API}/namespaces/a/seldondeployments/income/monitor/featuredistributions",
            Requirement("namespace", "read", "a", ("seldondeployments", "income")),
        ),
        (
            "POST",
            f"{API}/namespaces/a/inferenceservices/income/monitor/featurestatistics",
            Requirement("namespace", "read", "a", ("inferenceservices", "income")),
        ),
        (
            "POST",
            f"{API}/namespaces/a/seldondeployments/income/monitor/drift-detector",
            Requirement("namespace", "write", "a", ("seldondeployments", "income")),
        ),
        ("GET", f"{API}/namespaces/a/gitops-status", Requirement("namespace", "read", "a")),
        ("POST", f"{API}/namespaces/a/gitops-sync", Requirement("namespace", "write", "a")),
        (
            "GET",
            f"{API}/namespaces/a/seldondeployments/iris",
            Requirement("namespace", "read", "a", ("seldondeployments", "iris")),
        ),
        (
            "POST",
            f"{API}/namespaces/a/seldondeployments/iris/canary/promote",
            Requirement("namespace", "write", "a", ("seldondeployments", "iris")),
        ),
        (
            "GET",
            f"{API}/namespaces/a/seldondeployments/iris/requests",
            Requirement("namespace", "read", "a", ("seldondeployments", "iris")),
        ),
        (
            "GET",
            f"{API}/namespaces/a/seldondeployments/iris/monitor/outlier-detector",
            Requirement("namespace", "read", "a", ("seldondeployments", "iris")),
        ),
        (
            "POST",
            f"{API}/namespaces/a/inferenceservices/iris/monitor/drift-detector",
            Requirement("namespace", "write", "a", ("inferenceservices", "iris")),
        ),
        (
            "DELETE",
            f"{API}/namespaces/a/seldondeployments/iris/monitor/metrics-server/iris-metrics",
            Requirement("namespace", "write", "a", ("seldondeployments", "iris")),
        ),
        ("POST", "/seldon/a/iris/api/v1.0/predictions", Requirement("namespace", "write", "a", ("*", "iris"))),
        ("GET", "/seldon/a/iris/api/v1.0/metadata", Requirement("namespace", "read", "a", ("*", "iris"))),
        ("GET", f"{API}/model/metadata", Requirement("authenticated")),
        ("POST", f"{API}/model/metadata", Requirement("authenticated", "write")),
        ("GET", f"{API}/requests", Requirement("admin", "write")),
        ("GET", f"{API}/authorization/policies", Requirement("admin", "write")),
        ("GET", f"{API}/users", Requirement("admin", "write")),
        ("GET", "/metadata/api/v1alpha1/model/metadata", Requirement("admin", "write")),
        ("GET", "/seldon-deploy/swagger/", Requirement("exempt")),
        ("GET", "/some/unknown/path", Requirement("authenticated")),
        ("GET", "/", Requirement("exempt")),  # the web UI's shell and assets hold no data
        ("GET", "/ui", Requirement("exempt")),
        ("GET", "/ui/namespaces/a/seldondeployments/iris", Requirement("exempt")),
        ("HEAD", "/assets/index-3f2a.js", Requirement("exempt")),
        ("GET", "/seldon-deploy/swagger/assets/swagger-ui-bundle.js", Requirement("exempt")),
        ("POST", "/ui/namespaces/a", Requirement("authenticated", "write")),
        ("DELETE", "/", Requirement("authenticated", "write")),
        ("GET", "/uix", Requirement("authenticated")),
        ("GET", "/assetsx/a.js", Requirement("authenticated")),
    ],
)
def test_requirement(method: str, path: str, expected: Requirement) -> None:
    assert requirement(method, path, MOUNTED) == expected


def test_health_of_an_unmounted_name_is_not_exempt() -> None:
    assert requirement("GET", "/nothing/health/live", MOUNTED).kind == "authenticated"


def test_the_ingestion_route_is_its_own_requirement_in_standalone_only() -> None:
    assert requirement("POST", "/request-logger/", MOUNTED) == Requirement("ingest", "write")
    assert requirement("GET", "/request-logger/", MOUNTED) == Requirement("admin", "write")
    assert requirement("POST", "/request-logger/", frozenset()).kind == "authenticated"
