"""Background task of the batch duplicate detection (ADR 0008: Django's Tasks framework, state in the domain).

A task only says "do run N". The run's state lives in `LinkRun` (queued → running → done/failed) and all of
its writes happen in one transaction at the end, so a worker killed mid-run leaves nothing half-written; the
run stays 'running' (django-tasks issue #46) until `review.reap_runs` marks it failed (on the next start, on
`stella linkage status`, or from cron with `stella linkage reap`).
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from stella.linkage import review


@task()
def run_linkage(run_id: int) -> dict[str, Any]:
    """Task: execute one queued run."""
    run = review.execute_run(run_id)
    return {"run": run.pk, "state": run.state, "candidates": run.candidates, "auto_merged": run.auto_merged}


def enqueue_run(run_id: int) -> str:
    """Queue the run (called on commit of `review.start_run`)."""
    return str(run_linkage.enqueue(run_id).id)
