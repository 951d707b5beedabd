"""pytest plugin (entry point `warden`): fixtures for the real servers started by scripts/infra.

Server fixtures are session-scoped and lazy: the first test that asks for `kafka_bootstrap` starts Kafka
(an idempotent start + health wait, a no-op when `.ci/run` or a developer already started it); a test
that does not ask never starts it. Isolation fixtures give each test its own names, database and topics.

    def test_x(kafka_bootstrap, kafka_topic, fresh_database): ...

    @pytest.mark.parametrize("kafka_topic", [4], indirect=True)   # a topic with 4 partitions
    def test_y(kafka_topic): ...

`closing_report` adds lines to a section printed after the run (`closing_report("API fuzzing", line)`). The
lines travel in the test's report, so they reach the closing summary when tests run in pytest-xdist workers too.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

import pytest

if TYPE_CHECKING:
    from warden_common.testing.servers.base import ManagedServer

logger = logging.getLogger(__name__)


def _running(name: str) -> ManagedServer:
    from warden_common.testing.servers import get_server

    server = get_server(name)
    server.start()
    return server


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """The bootstrap address ("host:port") of a running single-node Kafka 4 broker."""
    return _running("kafka").endpoint


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """Superuser DSN (database `postgres`) of the PostgreSQL chosen by $WARDEN_INFRA_POSTGRES_MODE."""
    return _running("postgres").endpoint


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    """Base URL (http://127.0.0.1:<port>) of a running single-node OpenSearch 2.19."""
    return _running("opensearch").endpoint


@pytest.fixture(scope="session")
def prometheus_url() -> str:
    """Base URL of a running Prometheus (scrapes itself plus $WARDEN_INFRA_PROMETHEUS_TARGETS)."""
    return _running("prometheus").endpoint


@pytest.fixture(scope="session")
def s3_endpoint_url() -> str:
    """Endpoint URL of a running moto S3 server (any access key/secret is accepted)."""
    return _running("s3").endpoint


@pytest.fixture
def unique_name() -> str:
    """A short lowercase id, valid as a database, topic, index, bucket or consumer-group name."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def fresh_database(postgres_dsn: str, unique_name: str) -> Iterator[str]:
    """DSN of a new empty database, dropped after the test (open connections are terminated)."""
    from warden_common.testing.servers.databases import create_database, drop_database, with_database
    from warden_common.testing.servers.tools import run_sync

    name = f"db_{unique_name}"
    run_sync(functools.partial(create_database, postgres_dsn, name))
    try:
        yield with_database(postgres_dsn, name)
    finally:
        run_sync(functools.partial(drop_database, postgres_dsn, name))


@pytest.fixture
def kafka_topic_factory(kafka_bootstrap: str) -> Iterator[Callable[..., str]]:
    """`make(partitions=1) -> name`: creates unique topics (leaders elected) and deletes them after the test."""
    from warden_common.testing.servers.kafka import create_topic, delete_topic
    from warden_common.testing.servers.tools import run_sync

    created: list[str] = []

    def make(partitions: int = 1) -> str:
        name = f"t{uuid.uuid4().hex[:12]}"
        run_sync(functools.partial(create_topic, kafka_bootstrap, name, partitions))
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            run_sync(functools.partial(delete_topic, kafka_bootstrap, name))
        except Exception:
            # A leftover uniquely named topic cannot affect other tests; say so rather than fail this one.
            logger.warning("could not delete test topic %s", name, exc_info=True)


@pytest.fixture
def kafka_topic(request: pytest.FixtureRequest, kafka_topic_factory: Callable[..., str]) -> str:
    """A fresh topic; 1 partition unless parametrized indirectly with a partition count."""
    partitions: int = getattr(request, "param", 1)
    return kafka_topic_factory(partitions)


@pytest.fixture(scope="session")
def mlserver_bin() -> str:
    """Path of `mlserver` in the MLServer 1.7.1 venv (built on first use, like `scripts/infra/mlserver`)."""
    from warden_common.testing.servers import mlserver

    return str(mlserver.install())


_REPORT_PROPERTY = "warden-closing-report"
_CLOSING_REPORT: dict[str, list[str]] = {}
"""Section -> lines, gathered in the process that prints the summary (the xdist controller, or the only one)."""


@pytest.fixture
def closing_report(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """`add(section, line)`: a line for `section` of the report printed after the whole run."""

    def add(section: str, line: str) -> None:
        request.node.user_properties.append((_REPORT_PROPERTY, (section, line)))

    return add


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "teardown":  # every phase's report carries the test's properties: read them once, at the end
        return
    for name, value in report.user_properties:
        if name == _REPORT_PROPERTY:
            section, line = cast(Sequence[str], value)  # a tuple here, a list when it came from a worker
            _CLOSING_REPORT.setdefault(section, []).append(line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for section, lines in _CLOSING_REPORT.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
