"""The simulated venue: matching rules, and the fill-quantity, slippage, fee and latency models."""

from paperbroker.venue.commission import (
    CommissionModel,
    FeeModel,
    FeeSchedule,
    FixedCommission,
    MakerTakerCommission,
    NoCommission,
    PercentCommission,
    PerShareCommission,
    RegulatoryFees,
)
from paperbroker.venue.execution import DEFAULT_PRESET, PRESETS, ExecutionConfig, preset
from paperbroker.venue.fill_quantity import (
    CompositeQuantity,
    FillQuantityModel,
    FullFill,
    RandomPartialFill,
    VolumeParticipation,
)
from paperbroker.venue.latency import JitteredLatency, LatencyModel, ZeroLatency
from paperbroker.venue.matching import FillTiming, IntrabarPath
from paperbroker.venue.slippage import (
    CompositeSlippage,
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SlippageModel,
    SquareRootImpact,
    VolumeShareSlippage,
)
from paperbroker.venue.venue import SimulatedVenue, VenueConfig

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "CommissionModel",
    "CompositeQuantity",
    "CompositeSlippage",
    "ExecutionConfig",
    "FeeModel",
    "FeeSchedule",
    "FillQuantityModel",
    "FillTiming",
    "FixedBpsSlippage",
    "FixedCommission",
    "FullFill",
    "HalfSpreadSlippage",
    "IntrabarPath",
    "JitteredLatency",
    "LatencyModel",
    "MakerTakerCommission",
    "NoCommission",
    "NoSlippage",
    "PerShareCommission",
    "PercentCommission",
    "RandomPartialFill",
    "RegulatoryFees",
    "SimulatedVenue",
    "SlippageModel",
    "SquareRootImpact",
    "VenueConfig",
    "VolumeParticipation",
    "VolumeShareSlippage",
    "ZeroLatency",
    "preset",
]
