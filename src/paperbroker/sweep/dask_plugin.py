"""The Dask worker plugin that gives each worker a sweep's run context once.

Imported only when a sweep runs on a Dask cluster (it imports ``distributed``).
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from paperbroker.sweep.executor import drop_context, load_context
from paperbroker.sweep.runner import RunContext


class ContextPlugin(WorkerPlugin):
    """Loads the context as a worker starts (or at once, on the workers already up)."""

    def __init__(self, token: str, context: RunContext) -> None:
        self.token = token
        self.context = context

    def setup(self, worker: Any) -> None:
        load_context(self.token, self.context)

    def teardown(self, worker: Any) -> None:
        drop_context(self.token)
