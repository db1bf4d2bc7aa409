"""Alpaca-compatible trade_updates stream."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["alpaca"])
