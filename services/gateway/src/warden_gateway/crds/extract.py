"""Regenerate the schema data in `crds/data/` from the upstream CRD YAML files (a maintainer's tool).

    uv run python -m warden_gateway.crds.extract /work/shared/reference/crds

Keeps only the `openAPIV3Schema` of the storage version (the served versions of each CRD share one schema;
`extract` checks that), drops the human `description`s (two thirds of the bytes, no validation meaning)
and writes it gzipped. Provenance is recorded in `crds/data/PROVENANCE.md`.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import yaml

SOURCES = {
    "machinelearning.seldon.io_seldondeployments.yaml": "seldondeployment.schema.json.gz",
    "serving.kserve.io_inferenceservices.yaml": "inferenceservice.schema.json.gz",
}
DATA_DIR = Path(__file__).with_name("data")


def _strip_descriptions(schema: Any) -> Any:
    """The schema without `description` keywords; property *names* called "description" are kept."""
    if isinstance(schema, list):
        return [_strip_descriptions(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "description" and isinstance(value, str):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _strip_descriptions(sub) for name, sub in value.items()}
        else:
            out[key] = _strip_descriptions(value)
    return out


def extract(crd_path: Path) -> dict[str, Any]:
    """`{"group", "kind", "versions", "schema"}` of one CRD file."""
    crd = yaml.load(crd_path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    versions = [v for v in crd["spec"]["versions"] if v.get("served")]
    schemas = [v["schema"]["openAPIV3Schema"] for v in versions]
    if any(s != schemas[0] for s in schemas):
        raise ValueError(f"{crd_path.name}: served versions have different schemas; extract each one")
    return {
        "group": crd["spec"]["group"],
        "kind": crd["spec"]["names"]["kind"],
        "versions": [v["name"] for v in versions],
        "schema": _strip_descriptions(schemas[0]),
    }


def main(argv: list[str]) -> int:
    source_dir = Path(argv[0]) if argv else Path("/work/shared/reference/crds")
    DATA_DIR.mkdir(exist_ok=True)
    for source, target in SOURCES.items():
        data = json.dumps(extract(source_dir / source), sort_keys=True, separators=(",", ":")).encode()
        # mtime=0: the same input gives byte-identical output, so regenerating shows no spurious diff.
        (DATA_DIR / target).write_bytes(gzip.compress(data, mtime=0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
