"""paperbroker against backtesting.py and backtrader: speed, memory and agreement.

The workload is the same for every engine:

- Data: seeded synthetic one-minute bars from
  :func:`paperbroker.data.synthetic_bars`, a geometric random walk on a
  one-cent grid in which every bar opens at the previous close
  (``open[t+1] == close[t]``, checked).  Dataset A is 1 symbol x 1,000,000
  bars (seed 42); dataset B is 10 symbols ``S0..S9`` x 100,000 bars (seeds
  42..51).  ``--quick`` shrinks them to 100,000 and 10 x 10,000 bars.
- Strategy: SMA(10) / SMA(30) of closes, long only.  When flat and the fast SMA
  crosses above the slow one at bar ``t``'s close (``fast[t] > slow[t]`` and
  ``fast[t-1] <= slow[t-1]``), buy ``floor(cash / (close * (1 + fee)))`` units
  with a market order that fills at bar ``t+1``'s open; when long and it
  crosses below (``fast[t] < slow[t]`` and ``fast[t-1] >= slow[t-1]``), sell
  everything at the next open.  Fees: none, and 0.1 % of the notional on
  every fill (unrounded).
- Identical SMAs: both arrays are computed once with
  :func:`paperbroker.strategy.indicators.sma` (what paperbroker's
  ``SmaCrossover`` uses) and handed to the peers as precomputed series.
- Multi-symbol (dataset B) = independent sleeves: each symbol trades from its
  own cash sleeve (initial cash / 10 plus that symbol's realized P&L net of
  fees) and sizes entries as ``floor(sleeve / (close * (1 + fee)))``.  That is
  exactly 10 separate single-symbol runs with 10,000 each: backtesting.py,
  which trades one instrument per run, runs 10 times (times summed, 1M bars in
  total); backtrader runs once with 10 datas and the sleeve logic; paperbroker
  runs once over all 10 series with :class:`bench.paper.SleeveSmaCrossover`.
  Dataset A on paperbroker uses the built-in ``SmaCrossover(fast=10, slow=30)``.
- ``paperbroker-user``: the same workload written as a user writes a strategy
  (:mod:`bench.user_style`): two ``ctx.indicator`` series compared bar by bar,
  entries sized from ``ctx.cash``.  Its trades must be ``paperbroker``'s.

Each engine x dataset x fee runs in a fresh process (``python -m bench.run_one``)
that builds its inputs untimed, times only the backtest run, and reports the
process's peak RSS.  ``python -m bench`` runs them all and compares each peer's
trades and final equity with paperbroker's, to the cent.

Modules: :mod:`bench.workload` (data, SMAs, records), :mod:`bench.paper`
(paperbroker side), :mod:`bench.user_style` (the user-style strategy),
:mod:`bench.peers` (backtesting.py and backtrader strategies),
:mod:`bench.compare` (agreement and divergence diagnosis), :mod:`bench.run_one`
and ``bench.__main__`` (the harness), :mod:`bench.order_path` (what one
order's life costs).
"""

WORKLOAD = """
Workload: SMA(10)/SMA(30) crossover on closes, long only; signal at bar t's close,
market order filled at bar t+1's open (== bar t's close); entry size
floor(cash / (close * (1 + fee))); exit sells everything. Seeded synthetic 1-minute
bars (paperbroker.data.synthetic_bars, open[t+1] == close[t]); SMAs computed once
with paperbroker.strategy.indicators.sma and fed to every engine. Cash 100,000.
Each engine x dataset x fee runs in its own fresh process; only the backtest run is
timed; peak RSS is the whole process's. "pb speed x" = paperbroker bars/s divided by
the peer's; "pb RSS x" = paperbroker peak RSS divided by the peer's.
"""
