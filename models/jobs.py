"""Durable background jobs: what to run, its state and lease, and the credentials a job
needs for as long as it lives (sealed)."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


# One unit of background work. `status` is pending (waiting for `run_at`), running (held
# by `leased_by` until `lease_until`), done or failed. A running job whose lease has
# passed is pending again to every runner: its worker died.
class Job(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=50)
    # What the job is about, for reading statuses back ("poker:<session id>").
    subject = fields.CharField(max_length=100, db_index=True)
    ref = fields.CharField(max_length=100, default="")
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=5)
    run_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    leased_by = fields.CharField(max_length=100, null=True)
    last_error = fields.TextField(null=True)
    result: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    secret_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "jobs"
        indexes = (("status", "run_at"),)


# Credentials some jobs need (a provider's API token), encrypted with a key derived from
# SECRET_KEY, and deleted once no unfinished job refers to them.
class JobSecret(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    sealed = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job_secrets"
