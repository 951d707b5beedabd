"""Batch job events (topic `warden.batch.work`): the work items of a running batch job.

The batch process that claimed a job (its coordinator) reads the input and publishes one work item per chunk of
input lines; every batch process's workers consume them (one consumer group: replicas share a job's work), send
the chunk's mini-batches to the deployment and store the chunk's output in PostgreSQL once (a redelivered item
finds its chunk stored and does nothing). The item carries the lines themselves, so a worker needs no access to
the job's input location.
"""

from __future__ import annotations

import uuid

from pydantic import Field

from warden_common.events._base import WardenPayload
from warden_common.events.registry import EventSpec

BATCH_WORK_ITEM = "io.warden.batch.workitem.v1"


class BatchWorkItem(WardenPayload):
    job_uid: uuid.UUID = Field(description="The batch job (`workflowUID`).")
    chunk: int = Field(ge=0, description="The chunk's number: chunks are stored and written out in this order.")
    first_line: int = Field(ge=0, description="0-based input line number of the chunk's first line.")
    lines: list[str] = Field(min_length=1, description="The chunk's input lines, without their line ends.")


SPECS = (EventSpec(BATCH_WORK_ITEM, BatchWorkItem, "A chunk of a batch job's input lines to process."),)
