"""``python -m tests.integration.crashing_dispatcher``: the real ``dispatcher`` command, with a
dispatcher that dies like a SIGKILL once its first records are sent and recorded, before their
offsets are committed (``Dispatcher.before_commit``). Settings come from the environment, as for
the command. Used by ``test_faults.py``; nothing of it ships in the product.
"""

from __future__ import annotations

import asyncio
import os

import structlog

from consumers import Dispatcher
from fugitive_alerts.cmd_pipeline import run_dispatcher
from fugitive_alerts.common import load_settings

log = structlog.get_logger(__name__)


class CrashBeforeCommit(Dispatcher):
    async def before_commit(self, in_flight: set[asyncio.Task[None]]) -> None:
        if in_flight:
            await asyncio.wait(in_flight)  # the whole first batch sent and recorded, nothing in flight ...
        elif not self.offsets.pending():
            return  # nothing received yet: a commit would commit nothing
        log.warning("fault injection: exiting between send and offset commit")
        os._exit(137)  # ... then "killed" before its commit: no cleanup, no commit


if __name__ == "__main__":
    run_dispatcher(load_settings(), CrashBeforeCommit)
