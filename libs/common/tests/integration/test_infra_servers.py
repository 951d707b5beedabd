"""The infra servers (scripts/infra) start idempotently, are healthy, and do real work with real clients."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx
import pytest

from warden_common.testing.servers import ManagedServer, create_topic, get_server
from warden_common.testing.servers.databases import create_database, drop_database, with_database

pytestmark = pytest.mark.integration


def assert_start_is_noop(server: ManagedServer) -> None:
    """A second start on a healthy server must neither spawn nor restart anything."""
    before = server.status()
    assert before.healthy, before.describe()
    pid_file_before = server.pid_file.read_text() if server.pid_file.exists() else None
    server.start()
    after = server.status()
    assert after.healthy, after.describe()
    assert after.pid == before.pid
    assert (server.pid_file.read_text() if server.pid_file.exists() else None) == pid_file_before


# ----- Kafka ------------------------------------------------------------------------------------------


def test_kafka_start_is_idempotent(kafka_bootstrap: str) -> None:
    server = get_server("kafka")
    assert server.endpoint == kafka_bootstrap
    assert_start_is_noop(server)


async def test_kafka_produces_and_consumes_one_message(kafka_bootstrap: str, kafka_topic: str) -> None:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(kafka_topic, b"hello", key=b"k1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        kafka_topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"g-{kafka_topic}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=60)
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"k1", b"hello")


@pytest.mark.parametrize("kafka_topic", [3], indirect=True)
async def test_kafka_topic_fixture_honours_partition_count(kafka_bootstrap: str, kafka_topic: str) -> None:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(kafka_topic) or await _fetch_partitions(consumer, kafka_topic)
    finally:
        await consumer.stop()
    assert partitions == {0, 1, 2}


async def _fetch_partitions(consumer: object, topic: str) -> set[int]:
    client = consumer._client  # type: ignore[attr-defined]
    await client.force_metadata_update()
    return set(client.cluster.partitions_for_topic(topic) or ())


async def test_create_topic_rejects_a_duplicate(kafka_bootstrap: str, unique_name: str) -> None:
    from aiokafka.errors import TopicAlreadyExistsError

    await create_topic(kafka_bootstrap, unique_name, 2)
    with pytest.raises(TopicAlreadyExistsError):
        await create_topic(kafka_bootstrap, unique_name, 2)


# ----- PostgreSQL -------------------------------------------------------------------------------------


def test_postgres_start_is_idempotent(postgres_dsn: str) -> None:
    server = get_server("postgres")
    assert server.endpoint == postgres_dsn
    assert_start_is_noop(server)


async def test_postgres_debian_answers_select_1() -> None:
    server = get_server("postgres-debian")
    server.start()
    connection = await asyncpg.connect(server.endpoint)
    try:
        assert await connection.fetchval("SELECT 1") == 1
    finally:
        await connection.close()


async def test_postgres_embedded_answers_select_1_over_its_unix_socket() -> None:
    server = get_server("postgres-embedded")
    server.start()
    assert_start_is_noop(server)
    assert "host=/" in server.endpoint  # a socket directory, not a TCP host
    connection = await asyncpg.connect(server.endpoint)
    try:
        assert await connection.fetchval("SELECT 1") == 1
    finally:
        await connection.close()


async def test_fresh_database_is_empty_and_isolated(postgres_dsn: str, fresh_database: str) -> None:
    connection = await asyncpg.connect(fresh_database)
    try:
        name = await connection.fetchval("SELECT current_database()")
        assert fresh_database.endswith(f"/{name}") and name != "postgres"
        tables = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        assert tables == 0
        await connection.execute("CREATE TABLE only_here (id int)")
    finally:
        await connection.close()
    admin = await asyncpg.connect(postgres_dsn)
    try:
        visible_in_admin_db = await admin.fetchval("SELECT to_regclass('public.only_here') IS NOT NULL")
    finally:
        await admin.close()
    assert visible_in_admin_db is False


async def test_drop_database_terminates_leftover_connections(postgres_dsn: str) -> None:
    name = f"db_t{uuid.uuid4().hex[:12]}"
    await create_database(postgres_dsn, name)
    leaked = await asyncpg.connect(with_database(postgres_dsn, name))
    try:
        await drop_database(postgres_dsn, name)
        admin = await asyncpg.connect(postgres_dsn)
        try:
            exists = await admin.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name)
        finally:
            await admin.close()
        assert exists == 0
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError)):
            await leaked.fetchval("SELECT 1")
    finally:
        leaked.terminate()


# ----- OpenSearch -------------------------------------------------------------------------------------


def test_opensearch_start_is_idempotent(opensearch_url: str) -> None:
    server = get_server("opensearch")
    assert server.endpoint == opensearch_url
    assert_start_is_noop(server)


def test_opensearch_indexes_and_finds_a_document(opensearch_url: str, unique_name: str) -> None:
    # The sync client: the async one needs aiohttp, which nothing else here uses.
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[opensearch_url])
    try:
        assert client.cluster.health()["status"] in ("green", "yellow")
        client.indices.create(index=unique_name, body={"settings": {"number_of_replicas": 0}})
        client.index(index=unique_name, id="1", body={"model": "iris", "outcome": "setosa"}, refresh=True)
        found = client.search(index=unique_name, body={"query": {"match": {"model": "iris"}}})
        assert [hit["_source"]["outcome"] for hit in found["hits"]["hits"]] == ["setosa"]
    finally:
        client.indices.delete(index=unique_name, ignore_unavailable=True)
        client.close()


# ----- Prometheus -------------------------------------------------------------------------------------


def test_prometheus_start_is_idempotent(prometheus_url: str) -> None:
    server = get_server("prometheus")
    assert server.endpoint == prometheus_url
    assert_start_is_noop(server)


def test_prometheus_answers_query_up_for_itself(prometheus_url: str) -> None:
    # The first self-scrape lands within one scrape interval (2 s) of start; poll with a deadline.
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": 'up{job="prometheus"}'}).json()
        assert body["status"] == "success"
        if body["data"]["result"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    [series] = body["data"]["result"]
    assert series["value"][1] == "1"


# ----- S3 (moto) --------------------------------------------------------------------------------------


def test_s3_start_is_idempotent(s3_endpoint_url: str) -> None:
    server = get_server("s3")
    assert server.endpoint == s3_endpoint_url
    assert_start_is_noop(server)


def test_s3_puts_and_gets_an_object(s3_endpoint_url: str, unique_name: str) -> None:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket=unique_name)
    s3.put_object(Bucket=unique_name, Key="models/iris/model.joblib", Body=b"weights")
    got = s3.get_object(Bucket=unique_name, Key="models/iris/model.joblib")
    assert got["Body"].read() == b"weights"
    assert unique_name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
