"""MLServer 1.7.1 in a virtualenv of its own (`<infra home>/mlserver-venv`), for the serving runtime and its tests.

Not a server: the serving runtime starts MLServer processes itself. This only installs the interpreter they run
in, apart from the workspace venv because MLServer's pins (fastapi<0.116, its own pydantic/uvicorn ranges)
conflict with ours. `python -m warden_common.testing.servers.mlserver install|status` (`scripts/infra/mlserver`).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from warden_common.testing.servers.config import infra_home
from warden_common.testing.servers.errors import InfraError

logger = logging.getLogger(__name__)

PYTHON_VERSION = "3.11"
PACKAGES = (
    "mlserver==1.7.1",
    "mlserver-sklearn==1.7.1",
    "xgboost-cpu==3.2.0",  # not `xgboost`: that wheel pulls a 469 MB CUDA library
    "scikit-learn==1.9.1",
    "numpy==2.4.6",
    "pandas==2.3.3",
    "joblib==1.6.0",
    "uvloop==0.21.0",  # newer uvloop crashes MLServer's worker processes ("There is no current event loop")
)
NO_DEPS_PACKAGES = ("mlserver-xgboost==1.7.1",)
"""Installed without dependencies: it requires `xgboost[scikit-learn]`, which would bring the CUDA wheel back."""


def venv_dir() -> Path:
    return infra_home() / "mlserver-venv"


def mlserver_executable() -> Path:
    return venv_dir() / "bin" / "mlserver"


def venv_python() -> Path:
    return venv_dir() / "bin" / "python"


def _marker() -> Path:
    return venv_dir() / ".warden-packages"


def _wanted() -> str:
    return "\n".join((*PACKAGES, *NO_DEPS_PACKAGES)) + "\n"


def is_installed() -> bool:
    marker = _marker()
    return mlserver_executable().exists() and marker.exists() and marker.read_text() == _wanted()


def install() -> Path:
    """Create (or bring up to date) the venv; a no-op when the pinned set is already installed. Returns `mlserver`."""
    if is_installed():
        logger.info("mlserver venv is up to date: %s", venv_dir())
        return mlserver_executable()
    uv = shutil.which("uv")
    if uv is None:
        raise InfraError("`uv` is needed to build the MLServer venv but is not on PATH")
    target = venv_dir()
    if not venv_python().exists():
        logger.info("creating %s (python %s)", target, PYTHON_VERSION)
        _run([uv, "venv", "--quiet", "--python", PYTHON_VERSION, str(target)])
    python = str(venv_python())
    logger.info("installing %s", " ".join(PACKAGES + NO_DEPS_PACKAGES))
    _run([uv, "pip", "install", "--quiet", "--python", python, *PACKAGES])
    _run([uv, "pip", "install", "--quiet", "--no-deps", "--python", python, *NO_DEPS_PACKAGES])
    _marker().write_text(_wanted())
    return mlserver_executable()


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise InfraError(f"{' '.join(argv[:4])} ... failed (exit {result.returncode}):\n{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/infra/mlserver", description=__doc__)
    parser.add_argument("action", choices=("install", "status"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s infra %(message)s", datefmt="%H:%M:%S")
    try:
        if args.action == "install":
            install()
        if not is_installed():
            print(f"mlserver: not installed (expected {mlserver_executable()}); run scripts/infra/mlserver install")
            return 1
        print(f"mlserver: installed {mlserver_executable()}")
        return 0
    except InfraError as exc:
        logger.error("mlserver %s failed: %s", args.action, exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
