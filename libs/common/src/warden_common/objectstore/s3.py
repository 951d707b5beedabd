"""Object store on S3 (or anything speaking its API: MinIO, moto) through boto3, run in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from warden_common.objectstore.port import ObjectNotFound, ObjectStoreSettings, ObjectStoreUnavailable, UnsupportedUri


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/a/b` -> (`bucket`, `a/b`)."""
    if not uri.startswith("s3://"):
        raise UnsupportedUri(f"{uri!r} is not an s3:// URI")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise UnsupportedUri(f"{uri!r} names no bucket")
    return bucket, key.strip("/")


T = TypeVar("T")


class S3ObjectStore:
    def __init__(self, settings: ObjectStoreSettings | None = None) -> None:
        self._settings = settings or ObjectStoreSettings()
        self._client: Any = None

    def handles(self, uri: str) -> bool:
        return uri.startswith("s3://")

    def _s3(self) -> Any:
        if self._client is None:
            import boto3  # loaded on first use: most processes never touch S3

            s = self._settings
            self._client = boto3.client(
                "s3",
                endpoint_url=s.endpoint_url,
                region_name=s.region,
                aws_access_key_id=s.access_key_id.get_secret_value() if s.access_key_id else None,
                aws_secret_access_key=s.secret_access_key.get_secret_value() if s.secret_access_key else None,
            )
        return self._client

    async def fetch(self, uri: str, dest: Path) -> Path:
        bucket, key = split_s3_uri(uri)
        return await asyncio.to_thread(_readable(uri, self._fetch), bucket, key, dest)

    async def put_file(self, source: Path, uri: str) -> None:
        bucket, key = split_s3_uri(uri)
        await asyncio.to_thread(_readable(uri, self._s3().upload_file), str(source), bucket, key)

    def _fetch(self, bucket: str, key: str, dest: Path) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        prefix = f"{key}/" if key else ""
        keys = self._list(bucket, prefix)
        if keys:  # a folder: keep the layout below the prefix
            for object_key in keys:
                relative = PurePosixPath(object_key[len(prefix) :])
                if ".." in relative.parts:
                    continue  # never write outside dest
                target = dest.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                self._s3().download_file(bucket, object_key, str(target))
            return dest
        if key and self._exists(bucket, key):
            self._s3().download_file(bucket, key, str(dest / PurePosixPath(key).name))
            return dest
        raise ObjectNotFound(f"nothing at s3://{bucket}/{key}")

    def _list(self, bucket: str, prefix: str) -> list[str]:
        keys: list[str] = []
        paginator = self._s3().get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                keys.extend(item["Key"] for item in page.get("Contents", []) if not item["Key"].endswith("/"))
        except self._s3().exceptions.NoSuchBucket as exc:
            raise ObjectNotFound(f"no bucket {bucket!r}") from exc
        return keys

    def _exists(self, bucket: str, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._s3().head_object(Bucket=bucket, Key=key)
        except ClientError:
            return False
        return True


def _readable(uri: str, call: Callable[..., T]) -> Callable[..., T]:
    """`call`, with boto's failures to reach the store (no credentials, access refused, endpoint down) turned into
    `ObjectStoreUnavailable` naming `uri` - never an unhandled botocore exception (a 500)."""
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    def guarded(*args: Any) -> T:
        try:
            return call(*args)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise ObjectStoreUnavailable(
                f"cannot read {uri}: S3 answered {error.get('Code', 'an error')}: {error.get('Message', exc)}"
            ) from exc
        except (BotoCoreError, Boto3Error) as exc:  # NoCredentialsError, EndpointConnectionError, S3UploadFailedError
            raise ObjectStoreUnavailable(f"cannot read {uri}: {exc}") from exc

    return guarded
