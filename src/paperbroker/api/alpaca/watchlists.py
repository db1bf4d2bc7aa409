"""Alpaca-compatible watchlists: ``/v2/watchlists``, named lists of assets per account.

- ``GET``, ``POST /v2/watchlists``: the account's watchlists; a new one
  (``{"name", "symbols"}``);
- ``GET``, ``PUT``, ``DELETE /v2/watchlists/{id}``; ``POST /v2/watchlists/{id}``
  (``{"symbol"}``) adds an asset at the end, ``DELETE
  /v2/watchlists/{id}/{symbol}`` removes one and answers the watchlist;
- the same by name: ``GET``, ``PUT``, ``POST``, ``DELETE
  /v2/watchlists:by_name?name=``.

A watchlist is account configuration, not trading state: it is stored beside
the session's journal (:mod:`paperbroker.store.watchlists`), so a restart
keeps it and deleting the session deletes it. Its times are the session's.
Symbols are those ``/v2/assets`` lists; an unknown one is a 422 naming it, a
name the account already uses a 422, a watchlist of another account a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Final

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from paperbroker.api.alpaca.common import find_asset
from paperbroker.api.alpaca.shapes import ASSET_CLASSES, AlpacaAsset
from paperbroker.api.alpaca.target import Target, Trading
from paperbroker.api.contract import answers
from paperbroker.api.formats import canonical_uuid, time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.api.schemas import PrintableText
from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.store.watchlists import MAX_NAME, MAX_SYMBOLS, WatchlistRecord, Watchlists

router = APIRouter(prefix="/v2/watchlists", tags=["alpaca"])

#: What the watchlist routes answer besides their success, and the rules of a change.
_ERRORS: Final = answers({404: "No such watchlist, or symbol in it."})
_CHANGE_ERRORS: Final = answers(
    {404: "No such watchlist, or symbol in it."},
    rules=[
        "a name another watchlist of the account has",
        "a symbol of no asset, or one the watchlist holds already (when adding one)",
        "an update that gives neither name nor symbols",
    ],
)

Name = Annotated[PrintableText, Field(min_length=1, max_length=MAX_NAME, examples=["tech"])]
Symbol = Annotated[str, Field(min_length=1, max_length=64, examples=["AAPL"])]
NameQuery = Annotated[PrintableText, Query(min_length=1, max_length=MAX_NAME)]
IdPath = Annotated[str, Path(max_length=64)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchlistCreate(_Body):
    """A new watchlist: its name and, in order, its symbols."""

    name: Name
    symbols: list[Symbol] | None = Field(default=None, max_length=MAX_SYMBOLS)


class WatchlistUpdate(_Body):
    """A new name, a new list of symbols, or both."""

    name: Name | None = None
    symbols: list[Symbol] | None = Field(default=None, max_length=MAX_SYMBOLS)

    @model_validator(mode="after")
    def _something(self) -> WatchlistUpdate:
        if self.name is None and self.symbols is None:
            raise ValueError("give name, symbols or both")
        return self


class WatchlistAsset(_Body):
    """The asset to add at the end of a watchlist."""

    symbol: Symbol


class AlpacaWatchlist(ResponseModel):
    """A watchlist (``alpaca.trading.models.Watchlist``), its assets in order."""

    id: str
    account_id: str
    name: str
    created_at: str
    updated_at: str
    assets: list[AlpacaAsset]


@router.get("", summary="List watchlists", responses=_ERRORS)
def list_watchlists(target: Trading) -> list[AlpacaWatchlist]:
    """The account's watchlists, oldest first."""
    records = _store(target).of_account(target.session_id, target.account_id)
    return [_watchlist(target, record) for record in records]


@router.post("", summary="Create a watchlist", responses=_CHANGE_ERRORS)
def create_watchlist(body: WatchlistCreate, target: Trading) -> AlpacaWatchlist:
    symbols = _listed(target, body.symbols or [])
    record = _store(target).create(
        target.session_id, target.account_id, body.name, symbols, target.runtime.now_ns
    )
    return _watchlist(target, record)


@router.get(":by_name", summary="Read a watchlist by name", responses=_ERRORS)
def get_watchlist_by_name(target: Trading, name: NameQuery) -> AlpacaWatchlist:
    return _watchlist(target, _store(target).find(target.session_id, target.account_id, name))


@router.put(":by_name", summary="Update a watchlist by name", responses=_CHANGE_ERRORS)
def update_watchlist_by_name(
    body: WatchlistUpdate, target: Trading, name: NameQuery
) -> AlpacaWatchlist:
    return _update(target, _by_name(target, name), body)


@router.post(":by_name", summary="Add an asset to a watchlist by name", responses=_CHANGE_ERRORS)
def add_asset_by_name(body: WatchlistAsset, target: Trading, name: NameQuery) -> AlpacaWatchlist:
    return _add(target, _by_name(target, name), body.symbol)


@router.delete(
    ":by_name",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a watchlist by name",
    responses=_ERRORS,
)
def delete_watchlist_by_name(target: Trading, name: NameQuery) -> Response:
    _store(target).delete(target.session_id, target.account_id, _by_name(target, name))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{watchlist_id}", summary="Read a watchlist", responses=_ERRORS)
def get_watchlist(watchlist_id: IdPath, target: Trading) -> AlpacaWatchlist:
    record = _store(target).get(target.session_id, target.account_id, _id(watchlist_id))
    return _watchlist(target, record)


@router.put("/{watchlist_id}", summary="Update a watchlist", responses=_CHANGE_ERRORS)
def update_watchlist(
    watchlist_id: IdPath, body: WatchlistUpdate, target: Trading
) -> AlpacaWatchlist:
    """Rename it, replace its symbols, or both."""
    return _update(target, _id(watchlist_id), body)


@router.post("/{watchlist_id}", summary="Add an asset to a watchlist", responses=_CHANGE_ERRORS)
def add_asset(watchlist_id: IdPath, body: WatchlistAsset, target: Trading) -> AlpacaWatchlist:
    """The watchlist with ``symbol`` added at its end (one it holds already is a 422)."""
    return _add(target, _id(watchlist_id), body.symbol)


@router.delete(
    "/{watchlist_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a watchlist",
    responses=_ERRORS,
)
def delete_watchlist(watchlist_id: IdPath, target: Trading) -> Response:
    _store(target).delete(target.session_id, target.account_id, _id(watchlist_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{watchlist_id}/{symbol}", summary="Remove an asset from a watchlist", responses=_ERRORS
)
def remove_asset(
    watchlist_id: IdPath, symbol: Annotated[str, Path(max_length=64)], target: Trading
) -> AlpacaWatchlist:
    """The watchlist without ``symbol`` (404 if it does not hold it)."""
    record = _store(target).update(
        target.session_id, target.account_id, _id(watchlist_id), target.runtime.now_ns,
        remove=symbol.upper(),
    )  # fmt: skip
    return _watchlist(target, record)


def _store(target: Target) -> Watchlists:
    return Watchlists(target.service.factory)


def _id(text: str) -> str:
    canonical = canonical_uuid(text)
    if canonical is None:
        raise NotFound(f"watchlist {text[:64]!r} not found")
    return canonical


def _by_name(target: Target, name: str) -> str:
    return _store(target).find(target.session_id, target.account_id, name).id


def _update(target: Target, watchlist_id: str, body: WatchlistUpdate) -> AlpacaWatchlist:
    symbols = None if body.symbols is None else _listed(target, body.symbols)
    record = _store(target).update(
        target.session_id, target.account_id, watchlist_id, target.runtime.now_ns,
        name=body.name, symbols=symbols,
    )  # fmt: skip
    return _watchlist(target, record)


def _add(target: Target, watchlist_id: str, symbol: str) -> AlpacaWatchlist:
    [listed] = _listed(target, [symbol], field="symbol")
    record = _store(target).update(
        target.session_id, target.account_id, watchlist_id, target.runtime.now_ns, add=listed
    )
    return _watchlist(target, record)


def _listed(target: Target, symbols: Sequence[str], field: str = "symbols") -> list[str]:
    """``symbols`` as the assets ``/v2/assets`` lists, in order.

    Raises:
        InvalidRequest: naming the first that is not one.
    """
    market = target.service.market
    found = []
    for symbol in symbols:
        try:
            asset = find_asset(market, symbol)
        except NotFound:
            raise InvalidRequest(f"{field}: asset not found for {symbol[:64]}") from None
        if asset.asset_class not in ASSET_CLASSES:
            raise InvalidRequest(f"{field}: asset not found for {symbol[:64]}")
        found.append(asset.symbol)
    return found


def _watchlist(target: Target, record: WatchlistRecord) -> AlpacaWatchlist:
    assets = {asset.symbol: asset for asset in target.service.market.assets()}
    return AlpacaWatchlist(
        id=record.id,
        account_id=record.account_id,
        name=record.name,
        created_at=time_text(record.created_at),
        updated_at=time_text(record.updated_at),
        assets=[AlpacaAsset.of(assets[s]) for s in record.symbols if s in assets],
    )
