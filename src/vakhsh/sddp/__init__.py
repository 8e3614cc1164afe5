"""SDDP: operating water and power under inflow uncertainty (`vakhsh sddp`).

Stages are calendar months (or weeks) of the horizon; each stage is the ordinary vakhsh
LP over its steps, built once and kept in HiGHS; cuts on the state linking the stages
(reservoir storage, storage-unit charge, water in transit, and the previous inflow under
PAR(1) noise) approximate the cost of the stages after it. See docs/sddp.md.

    from vakhsh.sddp import SDDPOptions, sddp, simulate_policy
"""

from vakhsh.sddp.api import SDDPRun, sddp, simulate_policy
from vakhsh.sddp.options import SDDPOptions

__all__ = ["SDDPOptions", "SDDPRun", "sddp", "simulate_policy"]
