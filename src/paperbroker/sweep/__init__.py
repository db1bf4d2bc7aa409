"""Parameter sweeps: many backtests of one strategy over a space of its parameters.

:mod:`~paperbroker.sweep.spec` says what to sweep, :mod:`~paperbroker.sweep.plan`
expands it into tasks, :mod:`~paperbroker.sweep.runner` runs one task (one
:class:`~paperbroker.engine.backtest.Backtest`), :mod:`~paperbroker.sweep.executor`
runs many (a local process pool, or a Dask cluster) and
:mod:`~paperbroker.sweep.sweeper` drives a whole sweep, walk-forward included.

The fast path runs eligible tasks without the kernel, with the same results:
:mod:`~paperbroker.sweep.signals` (strategies as signal arrays),
:mod:`~paperbroker.sweep.fast` (eligibility, the replay in ``Decimal``),
:mod:`~paperbroker.sweep.fast_units` (the replay in integer ticks and lots),
:mod:`~paperbroker.sweep.fast_result` and
:mod:`~paperbroker.sweep.fast_units_result` (their metrics and fills digest)
and :mod:`~paperbroker.sweep.fast_task` (a worker's engine). See docs/sweeps.md.
"""
