"""Worker start-up: runs this worker held before a crash cannot still be running."""

from __future__ import annotations

from celery.signals import worker_ready


@worker_ready.connect
def _reap_runs_of_this_worker(sender=None, **kwargs) -> None:
    from .services import runs_reap_stale

    hostname = getattr(sender, "hostname", None)
    if hostname:
        runs_reap_stale(worker=hostname)
