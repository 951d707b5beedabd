"""The request-log store port (`LogStore`) and its adapters: OpenSearch (distributed), PostgreSQL JSONB (standalone).

Adapters are imported from their modules (`warden_common.logstore.opensearch`, `.postgres`) so a process only
loads the client library it uses.
"""

from warden_common.logstore.port import (
    PART_NAMES,
    DeploymentLife,
    DeploymentRef,
    FeatureFilter,
    InstanceWrite,
    ItemRejected,
    LogHit,
    LogPage,
    LogQuery,
    LogStore,
    LogStoreUnavailable,
    LogWrite,
    PartName,
    PayloadWrite,
)

__all__ = [
    "PART_NAMES",
    "DeploymentLife",
    "DeploymentRef",
    "FeatureFilter",
    "InstanceWrite",
    "ItemRejected",
    "LogHit",
    "LogPage",
    "LogQuery",
    "LogStore",
    "LogStoreUnavailable",
    "LogWrite",
    "PartName",
    "PayloadWrite",
]
