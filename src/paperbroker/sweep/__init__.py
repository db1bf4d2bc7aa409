"""Parameter sweeps: many backtests of one strategy over a space of its parameters.

:mod:`~paperbroker.sweep.spec` says what to sweep, :mod:`~paperbroker.sweep.plan`
expands it into tasks, :mod:`~paperbroker.sweep.runner` runs one task (one
:class:`~paperbroker.engine.backtest.Backtest`), :mod:`~paperbroker.sweep.executor`
runs many (a local process pool, or a Dask cluster) and
:mod:`~paperbroker.sweep.sweeper` drives a whole sweep, walk-forward included.
See docs/sweeps.md.
"""
