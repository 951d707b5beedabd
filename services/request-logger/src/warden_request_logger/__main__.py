"""`python -m warden_request_logger`: run the service alone, settings from the environment (`WARDEN_LOGGER_...`).

The same app `warden serve request-logger` runs; handy where the CLI is not installed (benchmarks, tests).
"""

from __future__ import annotations

import uvicorn

from warden_common.gc_tuning import tune_gc
from warden_common.logging import configure_logging
from warden_request_logger.main import create_app
from warden_request_logger.settings import RequestLoggerSettings


def main() -> None:
    settings = RequestLoggerSettings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    tune_gc()  # after the imports and the app: what exists now is never scanned again
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
