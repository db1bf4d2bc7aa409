"""``/v1/assets``: the symbols sessions can trade and the span of their data."""

from __future__ import annotations

from fastapi import APIRouter

from paperbroker.api.access import Owner
from paperbroker.api.deps import Service
from paperbroker.api.responses import AssetPublic

router = APIRouter(prefix="/v1/assets", tags=["assets"])


@router.get("", operation_id="listAssets", summary="List the symbols with data")
def list_assets(_caller: Owner, service: Service) -> list[AssetPublic]:
    return [AssetPublic.of(asset) for asset in service.assets()]
