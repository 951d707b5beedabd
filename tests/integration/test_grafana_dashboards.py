"""The Grafana dashboards in deploy/grafana query only what Warden exports, in PromQL a real Prometheus accepts.

Grafana is not run here; the dashboards are checked against the two things they depend on: the metric
definitions in the code (read from the source, so lazily created metrics count too, then exposed through
prometheus_client to get the names it really writes, e.g. the `_total` it appends to counters) and a real
Prometheus (`prometheus_url`), which answers a bad expression with HTTP 400 `bad_data`.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import prometheus_client
import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((REPO / "deploy" / "grafana").glob("*.json"))
METRIC_SOURCES = [REPO / "libs" / "common" / "src", *sorted((REPO / "services").glob("*/src"))]

# Values Grafana would put in for its built-in variables; any plausible duration will do.
BUILTIN_VALUES = {"__rate_interval": "1m", "__interval": "30s", "__range": "1h", "__range_s": "3600"}
TARGET_LABELS = {"job", "instance"}  # added by Prometheus when it scrapes, on every series
DATASOURCE_REF = {"type": "prometheus", "uid": "${datasource}"}

_METRIC_CLASSES = {"Counter", "Gauge", "Histogram", "Summary"}
_OWN_METRIC_CLASSES: dict[tuple[str | None, str], str] = {
    ("warden_common.batch_histogram", "BatchHistogram"): "Histogram"
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_SELECTOR = re.compile(r"([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}")
_MATCHER_LABEL = re.compile(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
_IDENTIFIER = re.compile(r"(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right"}
_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>\w+)\)$")


# ----- what the code exports ----------------------------------------------------------------------------------


def _prometheus_client_classes(tree: ast.Module) -> dict[str, str]:
    """The metric classes a module imports (name in the module -> prometheus_client class it is exposed as): from
    prometheus_client (a `Counter` from collections is not one), and Warden's own `BatchHistogram`, exposed as a
    `Histogram` of the same arguments (libs/common/tests/unit/test_batch_histogram.py holds it to that)."""
    return {
        alias.asname or alias.name: _OWN_METRIC_CLASSES.get((node.module, alias.name), alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if (node.module == "prometheus_client" and alias.name in _METRIC_CLASSES)
        or (node.module, alias.name) in _OWN_METRIC_CLASSES
    }


def _literal(node: ast.expr, tree: ast.Module, where: str) -> Any:
    """A literal argument, or the literal a name is bound to once in the module (`labels = ("topic", "group")`)."""
    if isinstance(node, ast.Name):
        bound = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
        ]
        if len(bound) != 1:
            pytest.fail(f"{where}: cannot resolve `{node.id}` to one literal; write the labels inline")
        node = bound[0]
    try:
        return ast.literal_eval(node)
    except ValueError:
        pytest.fail(f"{where}: metric name and labels must be literals, got `{ast.unparse(node)}`")


def _metric_definitions() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(class, name, labelnames) of every prometheus_client metric constructed in the services' source."""
    for path in sorted(p for root in METRIC_SOURCES for p in root.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        classes = _prometheus_client_classes(tree)
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in classes):
                continue
            where = f"{path.relative_to(REPO)}:{call.lineno}"
            labels_node = call.args[2] if len(call.args) > 2 else None
            labels_node = next((k.value for k in call.keywords if k.arg == "labelnames"), labels_node)
            labels = tuple(_literal(labels_node, tree, where)) if labels_node is not None else ()
            name_node = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "name")
            yield classes[call.func.id], _literal(name_node, tree, where), labels


@functools.cache
def exported_series() -> dict[str, frozenset[str]]:
    """Each series name as exposed on /metrics (`warden_bus_delivered_total`, `..._bucket`, ...) -> its labels.

    Each definition is re-created in a private registry with one child, so prometheus_client itself decides
    the exposed names and labels (suffixes, `le`), exactly as `generate_latest()` would write them.
    """
    registry = prometheus_client.CollectorRegistry()
    for class_name, name, labels in _metric_definitions():
        metric = getattr(prometheus_client, class_name)(name, "doc", labels, registry=registry)
        if labels:
            metric.labels(*labels)
    return {sample.name: frozenset(sample.labels) for family in registry.collect() for sample in family.samples}


# ----- what the dashboards query ------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(path.read_text())
    return dashboard


def _panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows."""
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def _exprs(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for panel in _panels(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['id']} ({panel['title']}) target {target['refId']}", target["expr"]


def _template_variables(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in dashboard["templating"]["list"] if v["type"] != "datasource"}


def _variable_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where, selector, label) of each `label_values(selector, label)` template variable (a textbox variable is
    a regular expression the user types: nothing to query)."""
    for name, variable in _template_variables(dashboard).items():
        if variable["type"] == "textbox":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        # Grafana shows `definition` in the editor and runs `query`: they must not drift apart.
        assert variable.get("definition", query) == query, f"variable {name}: definition differs from query"
        match = _LABEL_VALUES.match(query)
        assert match and match["selector"], f"variable {name}: expected label_values(<selector>, <label>), got {query}"
        yield f"variable {name}", match["selector"], match["label"]


def substituted(expr: str, dashboard: dict[str, Any]) -> str:
    """`expr` as Grafana would send it with every variable set to "All" (`.*`, they are regex matchers)."""
    variables = _template_variables(dashboard)

    def value(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        if name in BUILTIN_VALUES:
            return BUILTIN_VALUES[name]
        assert name in variables, f"unknown variable ${name} in {expr!r}"
        return ".*"

    return _VARIABLE.sub(value, expr)


def referenced(expr: str) -> tuple[dict[str, set[str]], set[str]]:
    """(metric name -> label names in its matchers, label names in by/without/on/ignoring/group_*) of `expr`."""
    text = _STRING.sub('""', expr)
    selectors: dict[str, set[str]] = {}
    for metric, matchers in _SELECTOR.findall(text):
        selectors.setdefault(metric, set()).update(_MATCHER_LABEL.findall(matchers))
    grouping = {label.strip() for clause in _GROUPING.findall(text) for label in clause.split(",") if label.strip()}
    bare = _IDENTIFIER.findall(re.sub(r"\[[^\]]*\]", "", _GROUPING.sub("", _SELECTOR.sub(r"\1", text))))
    for name, call in bare:
        if not call and name not in _KEYWORDS and name.lower() not in {"inf", "nan"}:
            selectors.setdefault(name, set())
    return selectors, grouping


def _query(prometheus_url: str, promql: str) -> str | None:
    """None when Prometheus accepts `promql`, else its error."""
    response = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": promql}, timeout=10)
    body = response.json()
    if response.status_code == 200 and body["status"] == "success":
        return None
    return f"HTTP {response.status_code} {body.get('errorType')}: {body.get('error')}"


# ----- tests --------------------------------------------------------------------------------------------------


def test_the_dashboards_and_the_exported_metrics_are_found() -> None:
    assert DASHBOARDS, "no dashboards in deploy/grafana"
    series = exported_series()
    assert series["warden_http_requests_total"] == {"service", "method", "route", "status"}
    assert series["warden_http_request_duration_seconds_bucket"] == {"service", "method", "route", "le"}
    assert series["warden_bus_delivered_total"] == {"topic", "group"}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_panel_ids_are_unique_and_every_query_uses_the_datasource_variable(path: Path) -> None:
    dashboard = _load(path)
    ids = [panel["id"] for panel in _panels(dashboard)]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {sorted(ids)}"
    [datasource] = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    assert (datasource["name"], datasource["query"]) == ("datasource", "prometheus")
    for panel in _panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == DATASOURCE_REF, f"panel {panel['id']} ({panel['title']})"
        assert panel["targets"], f"panel {panel['id']} ({panel['title']}) has no query"
        assert all(t["datasource"] == DATASOURCE_REF for t in panel["targets"]), f"panel {panel['id']}"
    queried = [v for v in _template_variables(dashboard).values() if v["type"] != "textbox"]
    assert all(v["datasource"] == DATASOURCE_REF for v in queried)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_multi_value_variables_are_only_used_as_regex_matchers(path: Path) -> None:
    # "All" and several values become `.*` / `(a|b)`: only `=~` matches them, `=` would silently match nothing.
    dashboard = _load(path)
    queries = [*_exprs(dashboard), *((where, selector) for where, selector, _ in _variable_queries(dashboard))]
    for where, expr in queries:
        for name in _template_variables(dashboard):
            uses = len(re.findall(rf"\$\{{{name}(?::\w+)?\}}|\${name}\b", expr))
            as_regex = len(re.findall(rf'=~\s*"(?:\$\{{{name}(?::\w+)?\}}|\${name})"', expr))
            assert uses == as_regex, f'{where}: ${name} used outside a `=~"..."` matcher: {expr}'


def _references(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, set[str]], set[str]]]:
    """(where, metric -> matcher labels, grouping labels) of every query, template variables included."""
    for where, expr in _exprs(dashboard):
        yield where, *referenced(substituted(expr, dashboard))
    for where, selector, label in _variable_queries(dashboard):
        yield where, referenced(substituted(selector, dashboard))[0], {label}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_metric_and_label_queried_is_one_the_code_exports(path: Path) -> None:
    series = exported_series()
    problems = []
    for where, selectors, grouping in _references(_load(path)):
        labels_in_query = set(TARGET_LABELS)
        for metric, matcher_labels in selectors.items():
            if metric not in series:
                problems.append(f"{where}: {metric} is not exported (exported: {sorted(series)})")
                continue
            labels_in_query |= series[metric]
            if unknown := matcher_labels - series[metric] - TARGET_LABELS - {"__name__"}:
                problems.append(f"{where}: {metric} has no label {sorted(unknown)}")
        if unknown := grouping - labels_in_query:
            problems.append(f"{where}: uses label {sorted(unknown)}, which no metric of the query has")
    assert not problems, "\n".join(problems)


def test_every_exported_metric_is_on_a_dashboard() -> None:
    # A new metric nobody can see is half done: add a panel for it (or a dashboard).
    on_dashboards = {
        metric for path in DASHBOARDS for _, selectors, _ in _references(_load(path)) for metric in selectors
    }
    # _sum/_count/_created come with the _bucket or _total a panel shows.
    shown = [n for n in exported_series() if not n.endswith(("_created", "_sum", "_count"))]
    missing = [name for name in shown if name not in on_dashboards]
    assert not missing, f"exported but on no dashboard: {missing}"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_prometheus_accepts_every_query(path: Path, prometheus_url: str) -> None:
    dashboard = _load(path)
    queries = [(where, substituted(expr, dashboard)) for where, expr in _exprs(dashboard)]
    queries += [(where, substituted(selector, dashboard)) for where, selector, _ in _variable_queries(dashboard)]
    rejected = [f"{where}: {error}\n  {q}" for where, q in queries if (error := _query(prometheus_url, q)) is not None]
    assert not rejected, "\n".join(rejected)
