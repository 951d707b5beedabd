"""Object store on the local filesystem: plain paths and `file://` URIs."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

from warden_common.objectstore.port import ObjectNotFound, UnsupportedUri


def local_path(uri: str) -> Path:
    """The filesystem path a plain path or `file://` URI names."""
    if uri.startswith("file://"):
        parsed = urlparse(uri)
        if parsed.netloc not in ("", "localhost"):
            raise UnsupportedUri(f"file URI {uri!r} names a remote host")
        return Path(unquote(parsed.path))
    if "://" in uri:
        raise UnsupportedUri(f"{uri!r} is not a local path")
    return Path(uri).expanduser()


class LocalObjectStore:
    def handles(self, uri: str) -> bool:
        return uri.startswith("file://") or "://" not in uri

    async def fetch(self, uri: str, dest: Path) -> Path:
        return await asyncio.to_thread(self._fetch, local_path(uri), dest)

    async def put_file(self, source: Path, uri: str) -> None:
        target = local_path(uri)
        await asyncio.to_thread(self._copy_file, source, target)

    @staticmethod
    def _fetch(source: Path, dest: Path) -> Path:
        if not source.exists():
            raise ObjectNotFound(f"nothing at {source}")
        dest.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(source, dest / source.name)
        return dest

    @staticmethod
    def _copy_file(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
