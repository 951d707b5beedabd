"""What `warden up` gains by importing the services while the embedded PostgreSQL starts: the time until PostgreSQL
runs and every service is imported, one after the other (`old`, as before) or overlapped (`new`, as now).

Run: `uv run python bench/startup/overlap.py old` and `... new`, alternately, a few times (each run must be a fresh
process: imports are cached). Prints `<mode> <seconds>`; creates a temporary $WARDEN_HOME-like folder under /tmp.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from warden_common.embedded_postgres import start_embedded_postgres
from warden_gateway.composition import import_services


async def main(mode: str) -> None:
    home = Path(tempfile.mkdtemp(prefix="warden-overlap-"))
    started = time.monotonic()
    if mode == "old":
        postgres = await asyncio.to_thread(start_embedded_postgres, home / "postgres")
        import_services()
    else:
        starting = asyncio.get_running_loop().run_in_executor(None, start_embedded_postgres, home / "postgres")
        import_services()
        postgres = await starting
    print(mode, round(time.monotonic() - started, 2))
    postgres.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "new"))
