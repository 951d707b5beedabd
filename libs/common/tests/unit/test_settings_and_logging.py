from __future__ import annotations

import json
import logging

import pytest
from pydantic_settings import SettingsConfigDict

from warden_common.logging import JsonFormatter
from warden_common.settings import RetryPolicy, ServiceSettings


class LoggerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_LOGGER_", env_nested_delimiter="__", extra="ignore")


def test_service_settings_read_their_prefix_and_nested_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_LOGGER_PORT", "9001")
    monkeypatch.setenv("WARDEN_LOGGER_BUS__KIND", "kafka")
    monkeypatch.setenv("WARDEN_LOGGER_BUS__KAFKA_BOOTSTRAP", "broker:19092")
    monkeypatch.setenv("WARDEN_LOGGER_BUS__RETRY__MAX_ATTEMPTS", "3")
    monkeypatch.setenv("WARDEN_METADATA_PORT", "9999")  # another service's variable is not ours
    settings = LoggerSettings()
    assert settings.port == 9001
    assert settings.bus.kind == "kafka"
    assert settings.bus.kafka_bootstrap == "broker:19092"
    assert settings.bus.retry.max_attempts == 3


def test_invalid_settings_name_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_LOGGER_BUS__KIND", "rabbit")
    with pytest.raises(ValueError, match=r"bus\.kind"):
        LoggerSettings()


def test_retry_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(initial_backoff_s=0.1, multiplier=2, max_backoff_s=0.5)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.1, 0.2, 0.4, 0.5, 0.5]


def test_json_formatter_keeps_extras_and_exceptions() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "WARNING", "msg": "hello %s", "args": ("you",)})
    record.topic = "warden.inference"
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello you"
    assert entry["level"] == "warning"
    assert entry["topic"] == "warden.inference"
    assert "ValueError: bad" in entry["exception"]
