"""Worker start-up and shutdown: register the worker and its devices, keep its heartbeat, and
put back in the queue the runs this worker held before a crash (they resume from checkpoints)."""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_ready, worker_shutdown

logger = logging.getLogger(__name__)
HEARTBEAT_S = 15
_stop = threading.Event()


def _trains(sender) -> bool:
    """Whether this worker consumes a training queue (light-only workers are not registered)."""
    queues = getattr(getattr(getattr(sender, "app", None), "amqp", None), "queues", None)
    names = set(getattr(queues, "consume_from", None) or {})
    return not names or bool(names & {"training", "training-gpu"})


@worker_ready.connect
def _worker_started(sender=None, **kwargs) -> None:
    from .services import runs_reap_stale, worker_register

    hostname = getattr(sender, "hostname", None)
    if not hostname:
        return
    runs_reap_stale(worker=hostname)
    try:
        if _trains(sender):
            worker_register(hostname)
            threading.Thread(target=_heartbeat, args=(hostname,), name="dlc-worker-heartbeat", daemon=True).start()
    except Exception:  # noqa: BLE001 — the registry is for the admin pages; training goes on
        logger.exception("could not register worker %s", hostname)


def _heartbeat(hostname: str) -> None:
    from django.db import close_old_connections

    from .services import worker_heartbeat

    while not _stop.wait(HEARTBEAT_S):
        try:
            worker_heartbeat(hostname)
        except Exception:  # noqa: BLE001
            logger.warning("worker heartbeat failed", exc_info=True)
        finally:
            close_old_connections()


@worker_shutdown.connect
def _worker_stopped(sender=None, **kwargs) -> None:
    from .services import worker_stopped

    _stop.set()
    hostname = getattr(sender, "hostname", None)
    if hostname:
        try:
            worker_stopped(hostname)
        except Exception:  # noqa: BLE001
            logger.warning("could not mark worker %s stopped", hostname, exc_info=True)
