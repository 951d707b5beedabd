"""The S3 adapter says why a store cannot be read (no credentials, endpoint down) as a 503 naming the URI, never as
an unhandled botocore exception (a 500): found by the fuzzer, through an explainer's `s3://` reference URI."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden_common.objectstore import ObjectStoreSettings, ObjectStoreUnavailable, object_store_for
from warden_common.testing.processes import free_port

pytestmark = pytest.mark.integration


async def test_no_credentials_is_a_clear_unavailable_error(
    s3_endpoint_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    store = object_store_for("s3://data/reference.npy", ObjectStoreSettings(endpoint_url=s3_endpoint_url))
    with pytest.raises(ObjectStoreUnavailable) as raised:
        await store.fetch("s3://data/reference.npy", tmp_path / "out")
    assert raised.value.status_code == 503
    assert "s3://data/reference.npy" in raised.value.message and "credentials" in raised.value.message


async def test_an_unreachable_endpoint_is_a_clear_unavailable_error(tmp_path: Path) -> None:
    settings = ObjectStoreSettings(
        endpoint_url=f"http://127.0.0.1:{free_port()}", access_key_id="k", secret_access_key="s"
    )
    store = object_store_for("s3://data/reference.npy", settings)
    with pytest.raises(ObjectStoreUnavailable) as raised:
        await store.put_file(Path(__file__), "s3://data/reference.npy")
    assert "s3://data/reference.npy" in raised.value.message
