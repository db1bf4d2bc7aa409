"""The sector of a symbol: the bundled table, asset classes and currency pairs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperbroker.data.samples import sample_symbols
from paperbroker.model.enums import AssetClass
from paperbroker.risk.sectors import (
    SECTORS,
    canonical_sector,
    sector_limits,
    sector_of,
    sector_table,
)


def test_every_bundled_sample_symbol_has_a_sector() -> None:
    sectors = {symbol: sector_of(symbol) for symbol in sample_symbols()}
    assert sectors == {
        "AAPL": "Information Technology",
        "EURUSD": "FX",
        "FB": "Communication Services",
        "GOOG": "Communication Services",
        "IBM": "Information Technology",
        "MSFT": "Information Technology",
    }


@pytest.mark.parametrize(
    ("symbol", "sector"),
    [
        ("JPM", "Financials"),
        ("V", "Financials"),  # payments moved to Financials in GICS 2023
        ("TGT", "Consumer Staples"),
        ("UBER", "Industrials"),
        ("XOM", "Energy"),
        ("SPY", "ETF"),
        ("QQQ", "ETF"),
        ("BTC/USD", "Crypto"),
        ("NEE", "Utilities"),
        ("PLD", "Real Estate"),
    ],
)
def test_common_large_symbols_are_in_the_table(symbol: str, sector: str) -> None:
    assert sector_of(symbol) == sector


def test_symbols_match_regardless_of_case_and_separators() -> None:
    assert sector_of("brk-b") == sector_of("BRK/B") == sector_of("BRK.B") == "Financials"
    assert sector_of("btcusd") == sector_of("BTC-USD") == "Crypto"
    assert sector_of(" aapl ") == "Information Technology"


def test_asset_class_decides_before_the_table() -> None:
    assert sector_of("SYN", AssetClass.CRYPTO) == "Crypto"
    assert sector_of("AAPL", AssetClass.FX) == "FX"
    assert sector_of("AAPL", AssetClass.EQUITY) == "Information Technology"


def test_a_pair_of_currency_codes_is_fx_and_an_unknown_symbol_has_no_sector() -> None:
    assert sector_of("EURSEK") == "FX"
    assert sector_of("usd/mxn") == "FX"
    assert sector_of("XYZ") is None
    assert sector_of("USDXYZ") is None
    assert sector_of("SYN") is None


def test_the_table_names_only_known_sectors_and_upper_case_symbols() -> None:
    table = sector_table()
    assert len(table) > 300
    assert set(table.values()) == set(SECTORS)
    assert all(symbol == symbol.upper() for symbol in table)


@pytest.mark.parametrize(
    ("name", "sector"),
    [
        ("Technology", "Information Technology"),
        ("information technology", "Information Technology"),
        ("Healthcare", "Health Care"),
        ("  health   care ", "Health Care"),
        ("Financial Services", "Financials"),
        ("etf", "ETF"),
        ("Space Mining", "Space Mining"),
    ],
)
def test_sector_names_in_settings_are_read_as_the_table_spells_them(name: str, sector: str) -> None:
    assert canonical_sector(name) == sector


def test_sector_limits_are_keyed_as_the_table_spells_sectors() -> None:
    limits = {"technology": Decimal(20), "Energy": Decimal(5), "health care": Decimal(9)}
    assert sector_limits(limits) == {
        "Information Technology": Decimal(20),
        "Energy": Decimal(5),
        "Health Care": Decimal(9),
    }
    assert sector_limits(None) == {}
