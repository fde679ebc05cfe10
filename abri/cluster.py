"""Dask for every parallel job of abri: a client (given, a scheduler's, or a LocalCluster's) and its checks.

Sweeps (:mod:`abri.sweep`) and the planner's large days solved in parts use the same
client: ``--scheduler ADDRESS`` (or ``DASK_SCHEDULER_ADDRESS``) for a cluster, else a
LocalCluster of ``workers`` processes on this machine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import dask
from distributed import Client, LocalCluster, get_worker

from abri import __version__
from abri.errors import SweepError


def worker_name() -> str:
    """This worker's address, or ``"local"`` outside a Dask worker."""
    try:
        return str(get_worker().address)
    except ValueError:
        return "local"


def abri_version() -> str:
    """The abri version of this process (run on every worker to check they match)."""

    return __version__


@contextmanager
def dask_client(
    workers: int | None, scheduler: str | None, client: Client | None
) -> Iterator[Client | None]:
    """A Dask client: the one given, a scheduler's (``--scheduler``, else ``DASK_SCHEDULER_ADDRESS``), else a LocalCluster's.

    ``workers=0`` with no scheduler: no cluster (``None``), the work is done in this process.
    """
    if client is not None:
        yield client
        return
    address = (
        scheduler
        or os.environ.get("DASK_SCHEDULER_ADDRESS")
        or dask.config.get("scheduler-address", None)
    )
    if address and workers is not None:
        logging.getLogger(__name__).warning(
            "%s worker(s) asked for, but the work runs on the cluster of the scheduler %s",
            workers,
            address,
        )
    if address:
        try:
            remote = Client(address)
        except (OSError, TimeoutError) as exc:
            msg = f"cannot reach the Dask scheduler at {address} ({exc}); start one with `dask scheduler` and workers with `dask worker {address}`"
            raise SweepError(msg) from exc
        with remote:
            yield remote
        return
    if workers == 0:
        yield None
        return
    # Dask's own INFO lines only with `abri -v`; a random dashboard port, never a clash with another cluster.
    dask_log = logging.getLogger("distributed")
    level = dask_log.level
    dask_log.setLevel(
        max(logging.getLogger().getEffectiveLevel(), logging.WARNING)
        if level <= logging.INFO
        else level
    )
    try:
        with (
            LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=dask_log.level,
            ) as cluster,
            Client(cluster) as local,
        ):
            yield local
    finally:
        dask_log.setLevel(level)


def check_workers(client: Client, *, timeout: float = 60) -> list[str]:
    """The workers' addresses, once at least one runs this very abri version (else :class:`SweepError`)."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        address = client.scheduler.address if client.scheduler is not None else "?"
        msg = f"no worker joined the Dask scheduler {address} in {timeout:.0f} s; start some with `dask worker ADDRESS`"
        raise SweepError(msg) from exc
    try:
        versions = client.run(abri_version)
    except Exception as exc:
        raise SweepError(
            f"the Dask workers cannot run abri ({type(exc).__name__}: {exc}); install abri on every worker"
        ) from exc
    wrong = {w: v for w, v in versions.items() if v != abri_version()}
    if wrong:
        msg = f"Dask workers run another abri version than this machine ({abri_version()}): {wrong}; install the same version everywhere"
        raise SweepError(msg)
    return sorted(versions)
