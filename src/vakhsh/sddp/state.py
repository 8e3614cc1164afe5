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

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def names(self) -> list[str]:
        return [f"{k}:{c}" + (f":{lag}" if k == "transit" else "")
                for k, c, lag in zip(self.kind, self.component, self.lag, strict=True)]

    def positions(self, kind: str) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.kind) == kind)

    def components(self, kind: str) -> list[str]:
        return [self.component[i] for i in self.positions(kind)]

    def as_dict(self) -> dict:
        return {"kind": list(self.kind), "component": list(self.component),
                "lag": list(self.lag), "initial": self.initial.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> StateSpace:
        return cls(tuple(data["kind"]), tuple(data["component"]),
                   tuple(int(x) for x in data["lag"]),
                   np.asarray(data["initial"], dtype=float))


def state_space(net: Network, inflow_state: bool) -> StateSpace:
    """Every state of `net`, with the values that enter the first stage."""
    kind: list[str] = []
    component: list[str] = []
    lag: list[int] = []
    initial: list[float] = []
    res = net.tables["reservoirs"]
    for rid, row in res.iterrows():
        kind.append("storage"), component.append(str(rid)), lag.append(0)
        initial.append(float(row["storage_initial_hm3"]))
    for uid, row in net.tables["storage_units"].iterrows():
        kind.append("soc"), component.append(str(uid)), lag.append(0)
        initial.append(float(row["soc_initial_mwh"]))
    for rid, row in net.tables["reaches"].iterrows():
        for j in range(1, int(row["delay_steps"]) + 1):
            kind.append("transit"), component.append(str(rid)), lag.append(j)
            initial.append(float(row["initial_flow_m3s"]))
    if inflow_state:
        for cid in net.ids("catchments"):
            kind.append("inflow"), component.append(str(cid)), lag.append(0)
            initial.append(0.0)  # the first stage's inflow does not depend on it
    return StateSpace(tuple(kind), tuple(component), tuple(lag),
                      np.asarray(initial, dtype=float))
