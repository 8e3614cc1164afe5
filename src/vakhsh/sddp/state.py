"""The state that links one stage to the next.

- `storage` of every reservoir at the end of a stage (hm3);
- `soc`, the state of charge of every storage unit (MWh);
- `transit`: water sent into a reach with a delay of d steps during the last d steps of a
  stage, which arrives in the next stage: one state per reach and lag j = 1..d, the flow
  (m3/s) sent j steps before the stage's end;
- `inflow` (with PAR(1) noise only): each catchment's mean inflow over the stage (m3/s),
  on which the next stage's inflow depends.

Cuts are affine in this vector; water values are minus their slopes on `storage`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vakhsh.network import Network

UNITS = {"storage": "hm3", "soc": "MWh", "transit": "m3/s", "inflow": "m3/s"}


@dataclass(frozen=True)
class StateSpace:
    kind: tuple[str, ...]
    component: tuple[str, ...]
    lag: tuple[int, ...]  # transit lag in steps (0 for the other kinds)
    initial: np.ndarray  # the value entering the first stage
    lower: np.ndarray  # physical bounds of each state
    upper: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def names(self) -> list[str]:
        return [
            f"{k}:{c}" + (f":{lag}" if k == "transit" else "")
            for k, c, lag in zip(self.kind, self.component, self.lag, strict=True)
        ]

    def positions(self, kind: str) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.kind) == kind)

    def components(self, kind: str) -> list[str]:
        return [self.component[i] for i in self.positions(kind)]

    def as_dict(self) -> dict:
        return {
            "kind": list(self.kind),
            "component": list(self.component),
            "lag": list(self.lag),
            "initial": self.initial.tolist(),
            "lower": self.lower.tolist(),
            "upper": [None if not np.isfinite(v) else float(v) for v in self.upper],
        }

    @classmethod
    def from_dict(cls, data: dict) -> StateSpace:
        upper = [np.inf if v is None else v for v in data["upper"]]
        return cls(
            tuple(data["kind"]),
            tuple(data["component"]),
            tuple(int(x) for x in data["lag"]),
            np.asarray(data["initial"], dtype=float),
            np.asarray(data["lower"], dtype=float),
            np.asarray(upper, dtype=float),
        )


def state_space(net: Network, inflow_state: bool) -> StateSpace:
    """Every state of `net`, with the values that enter the first stage."""
    rows: list[tuple[str, str, int, float, float, float]] = []
    for rid, row in net.tables["reservoirs"].iterrows():
        rows.append(
            (
                "storage",
                str(rid),
                0,
                float(row["storage_initial_hm3"]),
                float(row["storage_min_hm3"]),
                float(row["storage_max_hm3"]),
            )
        )
    for uid, row in net.tables["storage_units"].iterrows():
        rows.append(
            ("soc", str(uid), 0, float(row["soc_initial_mwh"]), 0.0, float(row["energy_mwh"]))
        )
    max_flow = (
        net.series["reaches"]["max_flow_m3s"].max("time") if len(net.tables["reaches"]) else None
    )
    for rid, row in net.tables["reaches"].iterrows():
        top = float(max_flow.sel(reach=rid))
        for j in range(1, int(row["delay_steps"]) + 1):
            rows.append(("transit", str(rid), j, float(row["initial_flow_m3s"]), 0.0, top))
    if inflow_state:
        for cid in net.ids("catchments"):
            # the first stage's inflow does not depend on it
            rows.append(("inflow", str(cid), 0, 0.0, 0.0, np.inf))
    kind, component, lag, initial, lower, upper = zip(*rows, strict=True) if rows else ((),) * 6
    return StateSpace(
        tuple(kind),
        tuple(component),
        tuple(lag),
        np.asarray(initial, dtype=float),
        np.asarray(lower, dtype=float),
        np.asarray(upper, dtype=float),
    )
