"""Background task of the reporting refresh (ADR 0008: Django's Tasks framework, state in the domain).

The task only says "refresh now"; progress and the lease live in `RefreshState`, and a refresh either commits
completely or changes nothing (see `refresh`). A second task while one runs ends at once (RefreshBusy).
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from stella.reporting import refresh as reporting_refresh


@task()
def refresh_reports(full: bool = False) -> dict[str, Any]:
    """Task: bring the reporting facts and cells up to date (incrementally unless `full`)."""
    try:
        result = reporting_refresh.refresh(full=full)
    except reporting_refresh.RefreshBusy as exc:
        return {"skipped": True, "reason": exc.message}
    return {"skipped": False, "full": result.full, "persons": result.persons, "cells": result.cells,
            "audit_id": result.audit_id,
            "dirty_from": result.dirty_from.isoformat() if result.dirty_from else None}


def enqueue_refresh(full: bool = False) -> str:
    """Queue a refresh (e.g. from cron every few minutes, or after a bulk import); returns the task id."""
    return str(refresh_reports.enqueue(full=full).id)
