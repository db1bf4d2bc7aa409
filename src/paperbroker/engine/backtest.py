"""The backtest runner: a kernel on a simulated clock over historical bars."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from paperbroker.analytics.excursions import with_excursions
from paperbroker.analytics.metrics import compute_metrics
from paperbroker.analytics.trades import build_trades
from paperbroker.core.clock import SimClock, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.gc_tuning import relaxed_gc
from paperbroker.core.ids import AccountId
from paperbroker.data.coverage import spans_text, window_text
from paperbroker.data.series import BarSeries
from paperbroker.data.ticks import data_notes
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel, ProgressCallback
from paperbroker.engine.result import BacktestResult
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType
from paperbroker.model.events import OrderFilled
from paperbroker.model.values import to_decimal
from paperbroker.portfolio.marks import PriceTrack
from paperbroker.risk.settings import RiskSettings
from paperbroker.strategy.base import Strategy, parse_params
from paperbroker.venue.commission import CommissionModel
from paperbroker.venue.execution import DEFAULT_PRESET, ExecutionConfig, preset
from paperbroker.venue.fill_quantity import FillQuantityModel
from paperbroker.venue.matching import FillTiming, IntrabarPath
from paperbroker.venue.slippage import SlippageModel

BarData = BarSeries | Sequence[BarSeries] | Mapping[str, BarSeries]
TimeBound = datetime | str | int | None


class Backtest:
    """Run a strategy over historical bars of one or many symbols.

    ``strategy`` is a :class:`Strategy` subclass (instantiated with ``params``)
    or an instance; each :meth:`run` works on a fresh instance with the same
    parameters, so a backtest can be run again and gives the same result.
    ``start``/``end`` keep only the bars that close within them (datetimes,
    ISO-8601 text or epoch nanoseconds).

    ``execution`` chooses the venue's models: an :class:`ExecutionConfig` or a
    preset name (default ``equities_realistic``, as for every new session;
    ``ideal`` has no costs, full fills and no latency, the reference for
    comparing engines); ``commission``, ``slippage``, ``fill_quantity`` and
    ``intrabar`` replace the matching model of it, and ``fill_timing``
    its fill timing: ``"next_bar"`` (the default: a decision on a bar's close
    trades from the next bar on) or ``"signal_close"`` (a market order fills
    at the close of the bar it was decided on, as backtesting.py's
    ``trade_on_close=True`` and LEAN on minute bars do; optimistic, see
    docs/fill-models.md).

    ``benchmark`` is what the metrics' alpha, beta and benchmark return are
    measured against: buy and hold of a symbol, either one of ``data``'s
    symbols or its own :class:`BarSeries`; ``None`` (the default) leaves
    them ``None``.  ``risk_free_rate`` is the annual rate the Sharpe,
    Sortino, Omega and alpha figures subtract (docs/metrics.md).

    ``risk`` is the run's risk layer (:class:`~paperbroker.risk.settings.RiskSettings`
    or its JSON; see docs/risk.md): the same pre-trade rules, breakers,
    safeguards and scaling a session enforces.

    Raises:
        InvalidRequest: for bad parameters, cash, time bounds, risk settings, or no
            bars in range.
    """

    def __init__(
        self,
        data: BarData,
        strategy: type[Strategy] | Strategy,
        *,
        params: Mapping[str, Any] | None = None,
        cash: Decimal | int | str = 100_000,
        execution: ExecutionConfig | str = DEFAULT_PRESET,
        commission: CommissionModel | None = None,
        slippage: SlippageModel | None = None,
        fill_quantity: FillQuantityModel | None = None,
        intrabar: IntrabarPath | str | None = None,
        fill_timing: FillTiming | str | None = None,
        account_type: AccountType | str = AccountType.CASH,
        leverage: Decimal | int | str = 1,
        start: TimeBound = None,
        end: TimeBound = None,
        risk: RiskSettings | Mapping[str, Any] | None = None,
        benchmark: str | BarSeries | None = None,
        risk_free_rate: float = 0.0,
    ) -> None:
        self.risk = RiskSettings.read(risk)
        if not math.isfinite(risk_free_rate) or risk_free_rate <= -1:
            raise InvalidRequest(
                f"risk_free_rate must be a finite rate above -1, not {risk_free_rate}"
            )
        self.risk_free_rate = float(risk_free_rate)
        if isinstance(strategy, Strategy):
            if params:
                raise InvalidRequest("give params either to the strategy or to Backtest, not both")
            self._strategy_cls: type[Strategy] = type(strategy)
            self._params = strategy.params.model_dump()
        else:
            self._strategy_cls = strategy
            self._params = parse_params(strategy, dict(params or {})).model_dump()
        self._cash = to_decimal(cash, field="cash")
        if self._cash <= 0:
            raise InvalidRequest(f"cash must be positive, got {self._cash}")
        self._account_config = AccountConfig(
            AccountType(account_type), to_decimal(leverage, field="leverage")
        )
        config = preset(execution) if isinstance(execution, str) else execution
        replaced = [
            name
            for name, model in (
                ("fees", commission), ("slippage", slippage),
                ("fill_quantity", fill_quantity), ("intrabar", intrabar),
            )
            if model is not None
        ]  # fmt: skip
        label = config.preset or "custom"
        self.execution_label = f"{label} with own {', '.join(replaced)}" if replaced else label
        self.execution = replace(
            config,
            fees=commission or config.fees,
            slippage=slippage or config.slippage,
            fill_quantity=fill_quantity or config.fill_quantity,
            intrabar=config.intrabar if intrabar is None else IntrabarPath(intrabar),
            fill_timing=config.fill_timing if fill_timing is None else _fill_timing(fill_timing),
        )
        if self.execution.fill_timing is FillTiming.SIGNAL_CLOSE:
            self.execution_label += ", market orders filled at the signal bar's close"
        self._venue_config = self.execution.venue_config()
        start_ns, end_ns = _bound(start, "start"), _bound(end, "end")
        if start_ns is not None and end_ns is not None and start_ns > end_ns:
            raise InvalidRequest("start is after end")
        given = _as_series_list(data)
        series = [s.between(start_ns, end_ns) for s in given]
        empty = [whole for whole, kept in zip(given, series, strict=True) if not len(kept)]
        if empty:
            raise InvalidRequest(
                f"no bars in the requested range {window_text(start_ns, end_ns)} for "
                f"{', '.join(s.symbol for s in empty)}; the data has "
                f"{spans_text((s.symbol, s) for s in empty)}"
            )
        self.series = series
        self.benchmark = _benchmark(benchmark, series, start_ns, end_ns)
        #: Notes on the data (prices off their instrument's tick), also logged once.
        self.data_notes = data_notes(series)

    def run(self, progress: ProgressCallback | None = None) -> BacktestResult:
        """Run the backtest to the last bar and return the result.

        ``progress(done, total)`` is called after each chunk of bars.
        """
        feed = HistoricalFeed(self.series)
        strategy = self._strategy_cls(**self._params)
        account = Account(AccountId("backtest"), self._cash, self._account_config)
        clock = SimClock(int(feed.ts[0]) - self.series[0].duration_ns)
        kernel = Kernel(feed, account, self._venue_config, clock, strategy, risk=self.risk)
        kernel.portfolio.keep_realized_trail()  # the trades read the books' P&L
        with relaxed_gc():
            kernel.start()
            kernel.run_until(int(feed.ts[-1]), progress)
            kernel.stop()
            return _result(
                kernel, strategy, self._params, self.execution_label, self.data_notes,
                _MetricsInputs(self.benchmark, self.risk_free_rate),
            )  # fmt: skip


def _result(
    kernel: Kernel,
    strategy: Strategy,
    params: dict[str, Any],
    execution: str,
    notes: tuple[str, ...],
    inputs: _MetricsInputs,
) -> BacktestResult:
    feed = kernel.feed
    portfolio = kernel.portfolio
    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    curve = portfolio.ledger.equity_curve(
        feed.sample_times(kernel.bars_processed), [PriceTrack.of(s) for s in feed.series]
    )
    trades = with_excursions(
        build_trades(fills, portfolio.realized_trail), {s.symbol: s for s in feed.series}
    )
    final_equity = portfolio.equity
    orders = list(kernel.orders.values())
    bench = inputs.benchmark
    metrics = compute_metrics(
        curve.ts,
        curve.equity,
        initial_cash=portfolio.account.initial_cash,
        final_equity=final_equity,
        trades=trades,
        fees=portfolio.fees,
        exposed=curve.exposed,
        benchmark=None if bench is None else PriceTrack.of(bench).known(curve.ts),
        risk_free_rate=inputs.risk_free_rate,
        fills=fills,
        orders=orders,
    )
    return BacktestResult(
        strategy=strategy.name or type(strategy).__name__,
        params=params,
        execution=execution,
        symbols=tuple(feed.symbols),
        initial_cash=portfolio.account.initial_cash,
        final_cash=portfolio.account.cash,
        final_equity=final_equity,
        realized_pnl=portfolio.realized_pnl,
        unrealized_pnl=portfolio.unrealized_pnl,
        fees=portfolio.fees,
        orders=orders,
        fills=fills,
        trades=trades,
        positions=dict(portfolio.positions),
        equity_curve=curve,
        metrics=metrics,
        bars_processed=kernel.bars_processed,
        events=kernel.events,
        data_notes=notes,
        benchmark=None if bench is None else bench.symbol,
    )


class _MetricsInputs(NamedTuple):
    benchmark: BarSeries | None
    risk_free_rate: float


def _benchmark(
    benchmark: str | BarSeries | None,
    series: Sequence[BarSeries],
    start_ns: int | None,
    end_ns: int | None,
) -> BarSeries | None:
    if benchmark is None or isinstance(benchmark, BarSeries):
        return None if benchmark is None else benchmark.between(start_ns, end_ns)
    wanted = benchmark.strip().upper()
    for s in series:
        if s.symbol.upper() == wanted:
            return s
    raise InvalidRequest(
        f"benchmark {benchmark!r} is not among the data's symbols "
        f"({', '.join(s.symbol for s in series)}); pass its bars as a BarSeries"
    )


def _fill_timing(value: FillTiming | str) -> FillTiming:
    try:
        return FillTiming(value)
    except ValueError:
        choices = ", ".join(t.value for t in FillTiming)
        raise InvalidRequest(f"fill_timing {value!r} is not one of {choices}") from None


def _as_series_list(data: BarData) -> list[BarSeries]:
    if isinstance(data, BarSeries):
        return [data]
    if isinstance(data, Mapping):
        return list(data.values())
    return list(data)


def _bound(value: TimeBound, name: str) -> int | None:
    """A time bound in epoch ns; a bare date means the whole day (UTC), so ``end`` includes it."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:  # YYYY-MM-DD
                day = date.fromisoformat(text)
                if name == "end":
                    day += timedelta(days=1)
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
                return datetime_to_ns(moment) - (1 if name == "end" else 0)
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidRequest(f"{name} {value!r} is not an ISO-8601 date or time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return datetime_to_ns(value)
