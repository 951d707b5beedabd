"""The Helm chart (deploy/helm/warden) cannot be installed here (no cluster): lint it, render it with the real helm
binary, and check what it renders against the code the pods run."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from warden_common import __version__
from warden_gateway.composition import service_names

from .service_settings import built_service_names, env_prefix, is_secret, service_reading, setting_field

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy/helm/warden"
ALL_FEATURES = CHART / "ci/all-features-values.yaml"
COMPONENT = "app.kubernetes.io/component"

# Values with secrets given in plain text: the chart must move them into a Secret.
PLAIN_SECRETS = (
    "--set",
    "postgresql.dsn=postgresql://warden:db-pw-6f2c@postgres:5432/warden",
    "--set",
    "objectStore.accessKeyId=key-id-91ab",
    "--set",
    "objectStore.secretAccessKey=secret-key-77d0",
    "--set",
    "services.request-logger.ingestToken.value=ingest-tok-3e5a",
)
SECRET_LITERALS = ("db-pw-6f2c", "key-id-91ab", "secret-key-77d0", "ingest-tok-3e5a")

Doc = dict[str, Any]


@cache
def helm_binary() -> str:
    """The helm scripts/infra/helm installs, else one on PATH; never a skip: CI must run these tests."""
    installed = Path(os.environ.get("WARDEN_INFRA_HOME", ROOT / ".infra")) / "bin" / "helm"
    if installed.is_file():
        return str(installed)
    on_path = shutil.which("helm")
    if on_path is None:
        pytest.fail(f"no helm binary at {installed} or on PATH: run `scripts/infra/helm install`")
    return on_path


def helm(*args: str) -> str:
    result = subprocess.run([helm_binary(), *args], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, f"helm {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@dataclass(frozen=True)
class Rendered:
    text: str
    docs: tuple[Doc, ...]

    def of_kind(self, kind: str) -> dict[str, Doc]:
        """Objects of `kind` by their component label (by name when they have none)."""
        found = [d for d in self.docs if d["kind"] == kind]
        return {d["metadata"]["labels"].get(COMPONENT, d["metadata"]["name"]): d for d in found}


@cache
def render(*args: str) -> Rendered:
    text = helm("template", "warden", str(CHART), "--namespace", "ml", *args)
    return Rendered(text, tuple(d for d in yaml.safe_load_all(text) if d))


def container(workload: Doc) -> Doc:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    assert isinstance(only, dict)
    return only


def env_of(workload: Doc) -> dict[str, Doc]:
    return {entry["name"]: entry for entry in container(workload)["env"]}


# The values every check below renders with: defaults, secrets given as plain values, every optional feature on.
VARIANTS = {
    "defaults": (),
    "plain-secrets": PLAIN_SECRETS,
    "all-features": ("--values", str(ALL_FEATURES)),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_lint_passes(variant: str) -> None:
    out = helm("lint", "--strict", str(CHART), *VARIANTS[variant])
    assert "0 chart(s) failed" in out


def test_chart_version_is_wardens() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert (chart["apiVersion"], chart["name"], chart["version"]) == ("v2", "warden", "0.1.0")
    assert chart["appVersion"] == __version__
    for deployment in render().of_kind("Deployment").values():
        assert container(deployment)["image"] == f"warden:{__version__}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_installed_service_runs_as_warden_serve(variant: str) -> None:
    rendered = render(*VARIANTS[variant])
    deployments = rendered.of_kind("Deployment")
    # Skeleton services (no features yet) are off unless enabled, as the all-features values do.
    expected = service_names() if variant == "all-features" else built_service_names()
    assert sorted(deployments) == sorted(expected)
    assert sorted(rendered.of_kind("Service")) == sorted(expected)
    for name, deployment in deployments.items():
        (port,) = container(deployment)["ports"]
        expected = ["serve", name, "--host", "0.0.0.0", "--port", str(port["containerPort"])]
        # The image's entrypoint is `warden`: the same arguments as docker-compose.yml's `command`.
        assert container(deployment)["args"] == expected


@pytest.mark.parametrize("variant", VARIANTS)
def test_probes_and_metrics_use_the_services_endpoints(variant: str) -> None:
    for deployment in render(*VARIANTS[variant]).of_kind("Deployment").values():
        main = container(deployment)
        assert main["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert main["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        assert annotations["prometheus.io/port"] == str(main["ports"][0]["containerPort"])


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_env_var_is_a_setting_the_service_reads(variant: str) -> None:
    rendered = render(*VARIANTS[variant])
    for name, deployment in rendered.of_kind("Deployment").items():
        env = env_of(deployment)
        for variable in env:
            setting_field(name, variable)  # raises NotASetting, naming the variable, if the service ignores it
        bus_kind = env[f"{env_prefix(name)}BUS__KIND"]["value"]
        assert bus_kind == "kafka", f"{name} must use the Kafka bus in distributed mode"
    for job in rendered.of_kind("Job").values():
        for variable in env_of(job):
            setting_field(service_reading(variable), variable)


@pytest.mark.parametrize("variant", VARIANTS)
def test_upstream_urls_point_at_the_rendered_services(variant: str) -> None:
    rendered = render(*VARIANTS[variant])
    services = {s["metadata"]["name"]: s for s in rendered.docs if s["kind"] == "Service"}
    for name, deployment in rendered.of_kind("Deployment").items():
        for variable, entry in env_of(deployment).items():
            if "_UPSTREAMS__" not in variable:
                continue
            target = variable.rsplit("__", 1)[1].lower().replace("_", "-")
            url = urlsplit(entry["value"])
            assert url.hostname in services, f"{name}: {variable} points at no rendered Service"
            service = services[url.hostname]
            assert service["metadata"]["labels"][COMPONENT] == target
            assert url.port == service["spec"]["ports"][0]["port"]


def test_secrets_come_only_from_the_charts_secret() -> None:
    rendered = render(*PLAIN_SECRETS)
    for literal in SECRET_LITERALS:  # Secrets hold base64 data: a literal anywhere is a leak into plain text
        assert literal not in rendered.text
    secrets = {s["metadata"]["name"]: s for s in rendered.docs if s["kind"] == "Secret"}
    assert_secret_settings_by_reference(rendered, allowed=set(secrets))
    for workload in [*rendered.of_kind("Deployment").values(), *rendered.of_kind("Job").values()]:
        for entry in env_of(workload).values():
            if "valueFrom" in entry:
                ref = entry["valueFrom"]["secretKeyRef"]
                assert ref["key"] in secrets[ref["name"]]["data"], f"{entry['name']}: {ref} is not in the Secret"


def test_named_existing_secrets_are_used_and_nothing_is_created() -> None:
    rendered = render("--values", str(ALL_FEATURES), *PLAIN_SECRETS)  # existing Secrets win over plain values
    assert [d for d in rendered.docs if d["kind"] == "Secret"] == []
    for literal in SECRET_LITERALS:
        assert literal not in rendered.text
    assert_secret_settings_by_reference(
        rendered,
        allowed={"warden-db", "warden-s3", "warden-ingest", "warden-auth", "warden-git-token"},
        optional=frozenset({"HTTPS_TOKEN"}),
    )
    serving = env_of(rendered.of_kind("Deployment")["serving"])
    assert serving["WARDEN_SERVING_OBJECT_STORE__SECRET_ACCESS_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "warden-s3",
        "key": "secret-key",
    }


def assert_secret_settings_by_reference(
    rendered: Rendered, allowed: set[str], optional: frozenset[str] = frozenset()
) -> None:
    """Every SecretStr setting is a secretKeyRef into one of `allowed`, and each secret setting is set somewhere
    (`optional` ones too: those the values render only when asked, like gitops-sync's https token)."""
    seen = set()
    for workload in [*rendered.of_kind("Deployment").values(), *rendered.of_kind("Job").values()]:
        for variable, entry in env_of(workload).items():
            if is_secret(setting_field(service_reading(variable), variable)):
                assert "value" not in entry, f"{variable} is rendered as a plain value"
                assert entry["valueFrom"]["secretKeyRef"]["name"] in allowed, variable
                seen.add(variable.removeprefix(env_prefix(service_reading(variable))))
    assert seen == optional | {
        "DATABASE__DSN",
        "OBJECT_STORE__ACCESS_KEY_ID",
        "OBJECT_STORE__SECRET_ACCESS_KEY",
        "INGEST_TOKEN",
        "AUTH__SIGNING_KEY_PASSPHRASE",
        "WARDEN_ADMIN_PASSWORD",  # the gateway's first administrator (not under its prefix)
    }


def test_migrations_run_as_a_pre_install_and_pre_upgrade_hook() -> None:
    rendered = render(*PLAIN_SECRETS)
    job = rendered.of_kind("Job")["migrate"]
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    args = container(job)["args"]
    assert args[0] == "migrate"
    migrated = args[2::2]
    assert args[1::2] == ["--service"] * len(migrated)
    assert set(migrated) <= {ep.name for ep in entry_points(group="warden.migrations")}
    # Each migrated service's DSN, from a Secret that exists when the hook runs (a hook itself, created earlier).
    dsn_refs = {service_reading(v): e["valueFrom"]["secretKeyRef"]["name"] for v, e in env_of(job).items()}
    assert sorted(dsn_refs) == sorted(migrated) == ["batch", "detectors", "gateway", "gitops-sync", "metadata"]
    for secret_name in dsn_refs.values():
        (secret,) = [d for d in rendered.docs if d["kind"] == "Secret" and d["metadata"]["name"] == secret_name]
        hook = secret["metadata"]["annotations"]
        assert hook["helm.sh/hook"] == annotations["helm.sh/hook"]
        assert int(hook["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])


def test_no_migration_without_a_database() -> None:
    assert render().of_kind("Job") == {}


@pytest.mark.parametrize("service", ["metadata", "serving", "gateway"])
def test_disabling_a_service_removes_it_and_calls_to_it(service: str) -> None:
    rendered = render("--set", f"services.{service}.enabled=false", *PLAIN_SECRETS)
    assert service not in rendered.of_kind("Deployment")
    assert service not in rendered.of_kind("Service")
    assert sorted(rendered.of_kind("Deployment")) == sorted(set(built_service_names()) - {service})
    upstream = f"_UPSTREAMS__{service.upper().replace('-', '_')}"
    for deployment in rendered.of_kind("Deployment").values():
        assert not [v for v in env_of(deployment) if v.endswith(upstream)]
    job_args = container(rendered.of_kind("Job")["migrate"])["args"]
    assert service not in job_args


@pytest.mark.parametrize("variant", VARIANTS)
def test_pods_run_unprivileged_with_their_writable_paths_mounted(variant: str) -> None:
    rendered = render(*VARIANTS[variant])
    for name, workload in [*rendered.of_kind("Deployment").items(), *rendered.of_kind("Job").items()]:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        security = container(workload)["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        assert security["readOnlyRootFilesystem"] is True
        mounts = {m["mountPath"] for m in container(workload)["volumeMounts"]}
        assert "/tmp" in mounts, f"{name}: nothing writable for temporary files"
        for variable, entry in env_of(workload).items():
            if variable.endswith("_DATA_DIR"):
                assert any(Path(entry["value"]).is_relative_to(m) for m in mounts), f"{name}: {variable} not writable"


def test_optional_features_render() -> None:
    rendered = render("--values", str(ALL_FEATURES))
    gateway_service = rendered.of_kind("Service")["gateway"]
    assert gateway_service["spec"]["type"] == "LoadBalancer"
    ingress = rendered.of_kind("Ingress")["gateway"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": gateway_service["metadata"]["name"], "port": {"name": "http"}}
    (monitor,) = [d for d in rendered.docs if d["kind"] == "ServiceMonitor"]
    selector = monitor["spec"]["selector"]["matchLabels"]
    for service in rendered.of_kind("Service").values():
        assert selector.items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    serving = rendered.of_kind("Deployment")["serving"]["spec"]["template"]["spec"]
    assert serving["nodeSelector"] == {"example.com/pool": "inference"}
    assert serving["tolerations"][0]["key"] == "example.com/gpu"
    assert rendered.of_kind("Deployment")["gateway"]["spec"]["template"]["spec"]["nodeSelector"] == {
        "kubernetes.io/os": "linux"
    }


def test_the_prometheus_rule_is_the_shipped_alerts_and_the_gateway_queries_prometheus() -> None:
    rendered = render("--values", str(ALL_FEATURES))
    (rule,) = [d for d in rendered.docs if d["kind"] == "PrometheusRule"]
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert rule["spec"] == yaml.safe_load((CHART / "files" / "alerts.yml").read_text())
    alerts = [r["alert"] for group in rule["spec"]["groups"] for r in group["rules"]]
    assert {"SeldonDriftDetected", "SeldonOutlierRateHigh", "SeldonModelAccuracyDropped"} <= set(alerts)
    assert "SeldonRequestFailures" in alerts
    gateway = env_of(rendered.of_kind("Deployment")["gateway"])
    assert gateway["WARDEN_GATEWAY_MONITORING__PROMETHEUS_URL"]["value"] == "http://prometheus-operated.monitoring:9090"
    assert "WARDEN_GATEWAY_MONITORING__PROMETHEUS_URL" not in env_of(render().of_kind("Deployment")["gateway"])


def test_default_install_creates_no_ingress_monitor_or_secret_but_the_auth_one() -> None:
    rendered = render()
    assert {d["kind"] for d in rendered.docs} == {"Deployment", "Service", "Secret"}
    assert [s["metadata"]["name"] for s in rendered.docs if s["kind"] == "Secret"] == ["warden-auth"]
    assert not [d for d in render("--set", "auth.enabled=false").docs if d["kind"] == "Secret"]


def _auth_env(rendered: Rendered) -> dict[str, Doc]:
    """The gateway's auth settings: AUTH__* and its first administrator's WARDEN_ADMIN_*."""
    env = env_of(rendered.of_kind("Deployment")["gateway"])
    return {k: v for k, v in env.items() if k.startswith(("WARDEN_GATEWAY_AUTH__", "WARDEN_ADMIN_"))}


def test_auth_is_on_by_default_with_a_generated_secret_kept_across_upgrades() -> None:
    rendered = render()
    env = _auth_env(rendered)
    assert env["WARDEN_GATEWAY_AUTH__ENABLED"]["value"] == "true"
    # No ingress: the URL of the `kubectl port-forward` the notes print.
    assert env["WARDEN_GATEWAY_AUTH__ISSUER"]["value"] == "http://127.0.0.1:8080"
    (secret,) = [d for d in rendered.docs if d["kind"] == "Secret"]
    refs = {name: entry["valueFrom"]["secretKeyRef"] for name, entry in env.items() if "valueFrom" in entry}
    assert refs == {
        "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE": {"name": "warden-auth", "key": "signing-key-passphrase"},
        "WARDEN_ADMIN_USER": {"name": "warden-auth", "key": "admin-user"},
        "WARDEN_ADMIN_PASSWORD": {"name": "warden-auth", "key": "admin-password"},
    }
    data = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert data["admin-user"] == "admin"
    assert len(data["signing-key-passphrase"]) >= 32 and len(data["admin-password"]) >= 20
    # Generated, never a fixed default: two renders differ. On upgrade `lookup` keeps the values in the cluster,
    # and the Secret outlives an uninstall (its passphrase decrypts the signing keys stored in PostgreSQL).
    (again,) = [d["data"] for d in render("--set", "logLevel=DEBUG").docs if d["kind"] == "Secret"]
    assert again["signing-key-passphrase"] != secret["data"]["signing-key-passphrase"]
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    template = (CHART / "templates/auth-secret.yaml").read_text()
    assert 'lookup "v1" "Secret" .Release.Namespace $name' in template
    # Only the gateway authenticates: the other services' ports are internal.
    for name, deployment in rendered.of_kind("Deployment").items():
        if name != "gateway":
            assert not [v for v in env_of(deployment) if "AUTH__" in v or v.startswith("WARDEN_ADMIN_")], name


def test_auth_reads_a_named_existing_secret_and_the_public_url() -> None:
    rendered = render("--values", str(ALL_FEATURES))
    env = _auth_env(rendered)
    assert env["WARDEN_GATEWAY_AUTH__ISSUER"]["value"] == "https://warden.example.com"  # the TLS ingress host
    assert env["WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE"]["valueFrom"]["secretKeyRef"] == {
        "name": "warden-auth",
        "key": "passphrase",
    }
    assert env["WARDEN_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "warden-auth", "key": "password"}
    assert not [d for d in rendered.docs if d["kind"] == "Secret"]
    explicit = _auth_env(render("--set", "auth.issuer=https://ml.example.org/"))
    assert explicit["WARDEN_GATEWAY_AUTH__ISSUER"]["value"] == "https://ml.example.org"


def test_auth_off_is_said_and_sets_nothing_else() -> None:
    assert {k: v["value"] for k, v in _auth_env(render("--set", "auth.enabled=false")).items()} == {
        "WARDEN_GATEWAY_AUTH__ENABLED": "false"
    }


def test_every_service_of_a_release_shares_its_kafka_namespace() -> None:
    """Services reading each other's topics must agree on the prefix, or events go to topics nobody reads."""
    for name, deployment in render(*VARIANTS["all-features"]).of_kind("Deployment").items():
        assert env_of(deployment)[f"{env_prefix(name)}BUS__KAFKA_NAMESPACE"]["value"] == "prod.", name
    for deployment in render().of_kind("Deployment").values():
        assert not any(variable.endswith("BUS__KAFKA_NAMESPACE") for variable in env_of(deployment))


def _routes(ingress: Doc, path: str) -> list[Doc]:
    """The Ingress paths (with their backends) a request for `path` matches."""
    matched = []
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            prefix = entry["path"].rstrip("/")
            exact = entry["pathType"] == "Exact"
            if path == entry["path"] if exact else (path == prefix or path.startswith(prefix + "/")):
                matched.append(entry)
    return matched


def test_the_gateway_is_the_single_public_entry_of_the_api_and_the_data_plane() -> None:
    """`predictcurl` prints data-plane URLs on the gateway's host: the Ingress must send them to the gateway, and
    the gateway must know where serving is to relay them."""
    rendered = render("--values", str(ALL_FEATURES))
    gateway_service = rendered.of_kind("Service")["gateway"]["metadata"]["name"]
    ingress = rendered.of_kind("Ingress")["gateway"]
    for path in ("/seldon/ml/iris/api/v1.0/predictions", "/seldon/ml/iris/v2/models/m/infer",
                 "/seldon-deploy/api/v1alpha1/namespaces/ml/seldondeployments/iris/predictcurl"):  # fmt: skip
        matched = _routes(ingress, path)
        assert matched, f"the Ingress does not route {path}"
        assert {m["backend"]["service"]["name"] for m in matched} == {gateway_service}
    gateway_env = env_of(rendered.of_kind("Deployment")["gateway"])
    serving_service = rendered.of_kind("Service")["serving"]
    url = urlsplit(gateway_env["WARDEN_GATEWAY_UPSTREAMS__SERVING"]["value"])
    assert (url.hostname, url.port) == (
        serving_service["metadata"]["name"],
        serving_service["spec"]["ports"][0]["port"],
    )
    # Only the gateway is exposed; serving stays inside the cluster.
    exposed = [n for n, s in rendered.of_kind("Service").items() if s["spec"]["type"] != "ClusterIP"]
    assert exposed == ["gateway"]


def test_one_set_of_body_limits_for_every_service() -> None:
    """The gateway must refuse what serving would (it relays the data plane): one `bodyLimits` for all."""
    deployments = render("--values", str(ALL_FEATURES)).of_kind("Deployment")
    for name, deployment in deployments.items():
        env = env_of(deployment)
        prefix = env_prefix(name)
        assert env[f"{prefix}BODY_LIMITS__MAX_BYTES"]["value"] == "16000000", name
        assert env[f"{prefix}BODY_LIMITS__MAX_DEPTH"]["value"] == "32", name
        assert env[f"{prefix}BODY_LIMITS__MAX_ITEMS"]["value"] == "2000000", name
    for name, deployment in render().of_kind("Deployment").items():  # unset: every service keeps the default
        assert not [v for v in env_of(deployment) if "BODY_LIMITS" in v], name


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_request_logger_and_the_detectors_share_one_log_store(variant: str) -> None:
    """The detectors' metrics servers read the responses the request logger wrote: the same OpenSearch and prefix."""
    deployments = render(*VARIANTS[variant]).of_kind("Deployment")
    logger, detectors = env_of(deployments["request-logger"]), env_of(deployments["detectors"])
    assert logger["WARDEN_LOGGER_STORE"]["value"] == detectors["WARDEN_DETECTORS_LOG_STORE"]["value"] == "opensearch"
    for setting in ("OPENSEARCH__URL", "OPENSEARCH__INDEX_PREFIX"):
        assert logger[f"WARDEN_LOGGER_{setting}"]["value"] == detectors[f"WARDEN_DETECTORS_{setting}"]["value"]


def _gitops(rendered: Rendered) -> tuple[dict[str, Doc], Doc]:
    deployment = rendered.of_kind("Deployment")["gitops-sync"]
    return env_of(deployment), deployment["spec"]["template"]["spec"]


def test_gitops_git_credentials_come_from_existing_secrets_mounted_read_only() -> None:
    env, pod = _gitops(render("--values", str(ALL_FEATURES)))
    mounts = {m["name"]: m for m in container({"spec": {"template": {"spec": pod}}})["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    ssh_dir = mounts["git-ssh"]["mountPath"]
    assert mounts["git-ssh"]["readOnly"] is True
    assert volumes["git-ssh"]["secret"] == {
        "secretName": "warden-git-ssh",
        "defaultMode": 0o400,
        "items": [{"key": "ssh-privatekey", "path": "ssh-privatekey"}, {"key": "known_hosts", "path": "known_hosts"}],
    }
    assert env["WARDEN_GITOPS_SSH_KEY_FILE"]["value"] == f"{ssh_dir}/ssh-privatekey"
    assert env["WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE"]["value"] == f"{ssh_dir}/known_hosts"
    assert env["WARDEN_GITOPS_HTTPS_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "warden-git-token", "key": "token"}
    assert env["WARDEN_GITOPS_HTTPS_URL_PREFIX"]["value"] == "https://git.example.com/ml-platform/"
    assert env["WARDEN_GITOPS_HTTPS_USERNAME"]["value"] == "oauth2"


def test_gitops_without_git_credentials_sets_none() -> None:
    env, pod = _gitops(render())
    assert not [v for v in env if "_SSH_" in v or "_HTTPS_" in v]
    assert "git-ssh" not in {v["name"] for v in pod["volumes"]}
    only_ssh, pod = _gitops(render("--set", "services.gitops-sync.git.sshSecret=keys"))
    assert "WARDEN_GITOPS_SSH_KEY_FILE" in only_ssh and "WARDEN_GITOPS_HTTPS_TOKEN" not in only_ssh
    assert "WARDEN_GITOPS_HTTPS_USERNAME" not in only_ssh


@pytest.mark.parametrize(
    ("values", "says"),
    [
        (("services.gitops-sync.git.httpsTokenSecret=tok",), "git.httpsUrlPrefix is required with httpsTokenSecret"),
        (("services.gitops-sync.git.httpsUrlPrefix=https://h.example/",), "set without git.httpsTokenSecret"),
    ],
)
def test_a_gitops_token_needs_its_url_prefix(values: tuple[str, ...], says: str) -> None:
    args = [a for v in values for a in ("--set", v)]
    result = subprocess.run(
        [helm_binary(), "template", "warden", str(CHART), *args], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and says in result.stderr, result.stderr
