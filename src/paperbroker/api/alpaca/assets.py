"""Alpaca-compatible assets: ``/v2/assets``, the symbols with data.

Only symbols of classes Alpaca has are listed (US equities, crypto); an FX
pair such as EURUSD trades through the API but has no Alpaca asset class,
so it is not listed here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from paperbroker.api.alpaca.common import find_asset
from paperbroker.api.alpaca.shapes import ASSET_CLASSES, AlpacaAsset
from paperbroker.api.alpaca.target import MarketTarget
from paperbroker.core.errors import NotFound

router = APIRouter(prefix="/v2/assets", tags=["alpaca"])


@router.get("", summary="List assets")
def list_assets(
    target: MarketTarget,
    status: Literal["active", "inactive"] | None = None,
    asset_class: Literal["us_equity", "us_option", "crypto", "crypto_perp"] | None = None,
    exchange: str | None = None,
    attributes: str | None = None,
) -> list[AlpacaAsset]:
    """Every listed asset, filtered; all are ``active``. ``attributes`` keeps assets
    having any of the comma-separated attributes."""
    wanted = None if attributes is None else {a.strip() for a in attributes.split(",")}
    listed = [
        AlpacaAsset.of(a) for a in target.service.market.assets() if a.asset_class in ASSET_CLASSES
    ]
    return [
        asset
        for asset in listed
        if (status is None or asset.status == status)
        and (asset_class is None or asset.class_ == asset_class)
        and (exchange is None or asset.exchange == exchange.upper())
        and (wanted is None or wanted & set(asset.attributes))
    ]


@router.get("/{symbol_or_asset_id}", summary="Read an asset")
def get_asset(
    symbol_or_asset_id: Annotated[str, Path(max_length=64)], target: MarketTarget
) -> AlpacaAsset:
    asset = find_asset(target.service.market, symbol_or_asset_id)
    if asset.asset_class not in ASSET_CLASSES:
        raise NotFound(f"asset not found for {symbol_or_asset_id[:64]}")
    return AlpacaAsset.of(asset)
