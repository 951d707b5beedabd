"""docker-compose.yml cannot be run here (no Docker engine), so check it against the code it starts."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from warden_gateway.composition import service_names

from .service_settings import env_prefix, is_skeleton, setting_field

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _warden_services() -> dict[str, dict]:  # type: ignore[type-arg]
    spec = yaml.safe_load(COMPOSE.read_text())
    return {name: svc for name, svc in spec["services"].items() if svc.get("image") == "warden:dev"}


def test_every_installed_service_has_a_container() -> None:
    assert sorted(_warden_services()) == sorted(service_names())


def test_skeleton_services_start_only_on_request() -> None:
    """A skeleton (no features yet) must not look like a working part of a default `docker compose up`."""
    for name, svc in _warden_services().items():
        assert svc.get("profiles") == (["skeleton"] if is_skeleton(name) else None), name


def test_each_container_serves_its_service_with_that_services_settings() -> None:
    for name, svc in _warden_services().items():
        assert svc["command"][:2] == ["serve", name]
        for variable in svc["environment"]:
            setting_field(name, variable)  # raises NotASetting, naming the variable, if the service ignores it
        bus_kind = svc["environment"][f"{env_prefix(name)}BUS__KIND"]
        assert bus_kind == "kafka", f"{name} must use the Kafka bus in distributed mode"


def test_prometheus_scrapes_every_service() -> None:
    config = yaml.safe_load((COMPOSE.parent / "deploy/compose/prometheus.yml").read_text())
    targets = config["scrape_configs"][0]["static_configs"][0]["targets"]
    assert sorted(t.split(":")[0] for t in targets) == sorted(service_names())


def test_the_gateway_is_the_single_public_entry_and_relays_the_data_plane_to_serving() -> None:
    """`predictcurl` prints data-plane URLs on the gateway's host, so the gateway relays them to serving."""
    services = _warden_services()
    assert [name for name, svc in services.items() if svc.get("ports")] == ["gateway"]
    url = urlsplit(services["gateway"]["environment"]["WARDEN_GATEWAY_UPSTREAMS__SERVING"])
    serving_command = services["serving"]["command"]
    assert url.hostname == "serving"
    assert str(url.port) == serving_command[serving_command.index("--port") + 1]


def test_the_gateway_authenticates_with_settings_taken_from_the_environment() -> None:
    """Auth is on; its secrets are `${VAR:-default}` references (set in `.env`), the defaults marked to change."""
    gateway = _warden_services()["gateway"]["environment"]
    assert gateway["WARDEN_GATEWAY_AUTH__ENABLED"] == "true"
    assert gateway["WARDEN_GATEWAY_AUTH__ISSUER"] == "${WARDEN_PUBLIC_URL:-http://localhost:8080}"
    for variable, source in {
        "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE": "WARDEN_SIGNING_KEY_PASSPHRASE",
        "WARDEN_ADMIN_PASSWORD": "WARDEN_ADMIN_PASSWORD",
    }.items():
        assert gateway[variable].startswith(f"${{{source}:-change-me-"), variable
    assert ".env" in COMPOSE.read_text().split("services:")[0]  # the header says where to change them
    for name, svc in _warden_services().items():  # only the public entry authenticates
        if name != "gateway":
            assert not [v for v in svc["environment"] if "AUTH__" in v or v.startswith("WARDEN_ADMIN_")], name


def test_the_detectors_read_the_request_loggers_opensearch() -> None:
    """Metrics servers look up a feedback's response in the store the request logger writes."""
    services = _warden_services()
    logger, detectors = (services[name]["environment"] for name in ("request-logger", "detectors"))
    assert detectors["WARDEN_DETECTORS_LOG_STORE"] == logger["WARDEN_LOGGER_STORE"] == "opensearch"
    assert detectors["WARDEN_DETECTORS_OPENSEARCH__URL"] == logger["WARDEN_LOGGER_OPENSEARCH__URL"]
