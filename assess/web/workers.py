"""Several worker processes for `assess serve` on Linux: one Python process is held to one core by the
interpreter's lock, and 300 phones keep one core of a 2-core laptop busy (docs/web.md §6).

The parent binds the listening sockets and builds the app, then forks; every process (the parent
too) runs its own guarded waitress on the same sockets, and the kernel hands each new connection to
one of them. What must be shared lives in the store (sessions, join and login limits, login links);
what each process keeps in memory (caches, save buckets, connections per address) is safe per process.
A worker dies with the parent (the kernel sends it SIGKILL when the parent goes, however it goes), so
a killed server leaves no process holding the port.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import sys
from collections.abc import Callable

PHONES_PER_WORKER = 150  # one process served 300 phones at about one core (docs/web.md §6)
MAX_WORKERS = 4
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def can_fork_workers() -> bool:
    return sys.platform.startswith("linux")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(participants: int, cores: int | None = None, linux: bool | None = None) -> int:
    """One process per PHONES_PER_WORKER participants, at most one per core and MAX_WORKERS; one where
    processes cannot be forked (Windows, macOS)."""
    if not (can_fork_workers() if linux is None else linux):
        return 1
    cores = usable_cores() if cores is None else cores
    return max(1, min(cores, MAX_WORKERS, math.ceil(participants / PHONES_PER_WORKER)))


def fork_workers(count: int, in_child: Callable[[], None]) -> list[int]:
    """Fork `count - 1` workers (each calls `in_child` first, then returns []); in the parent, their pids.

    Call before any thread is started: a fork copies only the calling thread."""
    parent = os.getpid()
    sys.stdout.flush()  # or each worker would print again what is still buffered
    sys.stderr.flush()
    children = []
    for _ in range(count - 1):
        pid = os.fork()
        if pid == 0:
            _die_with_parent(parent)
            in_child()
            return []
        children.append(pid)
    return children


def _die_with_parent(parent: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:  # the parent went before the call above
        os._exit(0)


def stop_workers(children: list[int]) -> None:
    """End the workers and wait for them (the parent's last act)."""
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
