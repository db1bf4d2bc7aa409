"""Asset metadata: the sector of each symbol, for sector exposure and its limit.

Sectors are the eleven GICS sectors (``Information Technology``,
``Financials``, …) plus three of the project's own: ``ETF`` for exchange-traded
funds, ``Crypto`` for crypto pairs and ``FX`` for currency pairs.  The table
(``sectors.csv`` next to this module, shipped with the package) covers every
bundled sample symbol and the common large US equities and ETFs; a symbol it
does not name has no sector (``None``) unless its asset class or its shape
says it is a currency pair.

Alpaca's asset (``/v2/assets``) has no sector field, so the Alpaca-compatible
API does not show one; the session's risk view (``GET /v1/sessions/{id}/risk``)
does, per position.  See ``docs/risk-monitoring.md``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType

from paperbroker.model.enums import AssetClass

#: The GICS sectors, then the project's own for funds, crypto and currencies.
SECTORS: tuple[str, ...] = (
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
    "ETF",
    "Crypto",
    "FX",
)

#: Other names the same sectors go by (other classifications, short forms); lower case.
_ALIASES = {
    "technology": "Information Technology",
    "tech": "Information Technology",
    "it": "Information Technology",
    "healthcare": "Health Care",
    "communication": "Communication Services",
    "communications": "Communication Services",
    "telecommunication services": "Communication Services",
    "consumer cyclical": "Consumer Discretionary",
    "consumer defensive": "Consumer Staples",
    "financial services": "Financials",
    "financial": "Financials",
    "basic materials": "Materials",
    "utility": "Utilities",
    "etfs": "ETF",
    "fund": "ETF",
    "funds": "ETF",
    "cryptocurrency": "Crypto",
    "forex": "FX",
    "currencies": "FX",
}

#: ISO codes of the currencies a pair such as ``EURUSD`` or ``USD/JPY`` is recognised by.
_CURRENCIES = frozenset(
    {
        *("USD", "EUR", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD", "SEK"),
        *("NOK", "DKK", "HKD", "SGD", "MXN", "ZAR", "CNH", "TRY", "PLN"),
    }
)
_TABLE_FILE = "sectors.csv"
_SEPARATORS = str.maketrans("", "", "./_-")
_BY_LOWER = {name.lower(): name for name in SECTORS}


def sector_of(symbol: str, asset_class: AssetClass | None = None) -> str | None:
    """The sector of ``symbol``, or ``None`` when asset metadata has none.

    ``asset_class`` (the instrument's, when known) decides first: crypto is
    ``Crypto`` and a currency pair ``FX`` whatever the symbol.  Then the table,
    matched case-insensitively and regardless of separators (``BRK.B``,
    ``BRK-B`` and ``brk/b`` are one symbol; so are ``BTC/USD`` and ``BTCUSD``).
    A symbol the table lacks that is two currency codes (``EURSEK``,
    ``USD/MXN``) is ``FX``.
    """
    if asset_class is AssetClass.CRYPTO:
        return "Crypto"
    if asset_class is AssetClass.FX:
        return "FX"
    key = _key(symbol)
    found = _table().get(key)
    if found is not None:
        return found
    if len(key) == 6 and key[:3] in _CURRENCIES and key[3:] in _CURRENCIES:
        return "FX"
    return None


def canonical_sector(name: str) -> str:
    """``name`` as the table spells its sector: ``technology`` is ``Information
    Technology``, ``healthcare`` is ``Health Care``; a name no sector goes by is
    returned stripped, as given (it matches no symbol)."""
    lower = " ".join(name.split()).lower()
    return _BY_LOWER.get(lower) or _ALIASES.get(lower) or name.strip()


def sector_limits(limits: Mapping[str, Decimal] | None) -> dict[str, Decimal]:
    """``limits.sector_max_pct`` keyed by sector as the table spells it
    (:func:`canonical_sector`), so ``{"technology": 20}`` limits ``Information
    Technology``; of two names for one sector the later one counts."""
    return {canonical_sector(name): pct for name, pct in (limits or {}).items()}


def sector_table() -> Mapping[str, str]:
    """The bundled table: symbol (as listed, upper case) to sector, read-only."""
    return _listed()


@cache
def _listed() -> Mapping[str, str]:
    text = resources.files("paperbroker.risk").joinpath(_TABLE_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return MappingProxyType({row["symbol"]: row["sector"] for row in rows})


@cache
def _table() -> dict[str, str]:
    return {_key(symbol): sector for symbol, sector in _listed().items()}


def _key(symbol: str) -> str:
    return symbol.strip().upper().translate(_SEPARATORS)


__all__ = ["SECTORS", "canonical_sector", "sector_limits", "sector_of", "sector_table"]
