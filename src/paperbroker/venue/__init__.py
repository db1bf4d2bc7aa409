"""The simulated venue: matching rules, fill quantity, slippage and commission models."""

from paperbroker.venue.commission import (
    CommissionModel,
    FixedCommission,
    NoCommission,
    PercentCommission,
    PerShareCommission,
)
from paperbroker.venue.fill_quantity import FillQuantityModel, FullFill, VolumeParticipation
from paperbroker.venue.matching import IntrabarPath
from paperbroker.venue.slippage import FixedBpsSlippage, NoSlippage, SlippageModel
from paperbroker.venue.venue import SimulatedVenue, VenueConfig

__all__ = [
    "CommissionModel",
    "FillQuantityModel",
    "FixedBpsSlippage",
    "FixedCommission",
    "FullFill",
    "IntrabarPath",
    "NoCommission",
    "NoSlippage",
    "PerShareCommission",
    "PercentCommission",
    "SimulatedVenue",
    "SlippageModel",
    "VenueConfig",
    "VolumeParticipation",
]
