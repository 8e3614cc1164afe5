"""The Python API of `vakhsh sddp`: train a policy, simulate it, write the output folder.

from vakhsh.sddp import SDDPOptions, sddp, simulate_policy
run = sddp("central-asia", "inflows.nc", SDDPOptions(iterations=50, risk="cvar:0.5,0.2"))
run.summary()["sddp"]["lower_bound_usd"]; run.simulation.dataset; run.to_folder("runs/s")
again = simulate_policy("central-asia", "runs/s/policy", "other.nc")
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vakhsh.errors import ModelError, Problem
from vakhsh.network import Network, load_network
from vakhsh.results.audit import require_passed
from vakhsh.results.results import provenance
from vakhsh.sddp.inflows import load_inflows
from vakhsh.sddp.model import SDDPModel, build_sddp_model
from vakhsh.sddp.options import SDDPOptions
from vakhsh.sddp.policy import Policy, load_cuts, policy_of, read_policy
from vakhsh.sddp.simulate import Simulation, simulate
from vakhsh.sddp.stopping import Iteration
from vakhsh.sddp.train import Trainer, TrainingLog, train
from vakhsh.sddp.water_values import water_values

Say = Callable[[str], None]


@dataclass
class SDDPRun:
    """A trained (or reloaded) policy and its simulation."""

    model: SDDPModel
    log: TrainingLog
    simulation: Simulation | None
    policy: Policy
    timings: dict[str, float] = field(default_factory=dict)
    kind: str = "sddp"  # or "sddp-simulate" for a reloaded policy
    foresight: pd.DataFrame | None = None  # perfect foresight per member (foresight.py)

    @property
    def net(self) -> Network:
        return self.model.net

    def water_values(self, levels: int = 11) -> pd.DataFrame:
        return water_values(self.model, self.reference_states(), levels)

    def reference_states(self) -> np.ndarray | None:
        """Median over simulated members of the state at the end of each stage."""
        if self.simulation is None:
            return None
        states = self.model.states
        ds = self.simulation.dataset
        ref = np.repeat(states.initial[None, :], len(self.model.stages), axis=0)
        for s, stage in enumerate(self.model.stages):
            end = ds["time"].values[stage.stop - 1]
            for i in states.positions("storage"):
                ref[s, i] = float(
                    ds["storage_hm3"].sel(time=end, reservoir=states.component[i]).median("member")
                )
        return ref

    def summary(self) -> dict[str, Any]:
        from vakhsh.sddp.summary import run_summary

        return run_summary(self)

    def to_folder(self, folder: str | Path, report: bool = True, overwrite: bool = False) -> Path:
        """Every file of the run into `folder`, atomically; an existing folder is
        replaced only when it is an SDDP output vakhsh wrote and `overwrite` is set."""
        from vakhsh.sddp.outputs import write_run

        return write_run(self, Path(folder), report=report, overwrite=overwrite)


def _network(model: str | Path | Network, scenario: str | None, horizon: dict | None) -> Network:
    if isinstance(model, Network):
        return model
    return load_network(model, scenario=scenario, **(horizon or {}))


@contextlib.contextmanager
def _held(out: str | Path | None, overwrite: bool, option: str | None) -> Iterator[Path | None]:
    """The output folder `out`, checked and reserved now (before anything is loaded or
    trained), renamed into place when the block ends without an error; nothing is written
    and an earlier folder is left as it was when it raises."""
    if out is None:
        yield None
        return
    from vakhsh.outputs import output_folder
    from vakhsh.sddp.outputs import SDDP_KIND

    extra = {} if option is None else {"option": option}
    with output_folder(out, SDDP_KIND, overwrite, **extra) as tmp:
        yield tmp


def _write(run: SDDPRun, tmp: Path | None, report: bool, say: Say) -> None:
    if tmp is not None:
        from vakhsh.sddp.outputs import write_files

        say("writing the output folder")
        write_files(run, tmp, report)


def sddp(
    model: str | Path | Network,
    inflows: str | Path,
    options: SDDPOptions | None = None,
    scenario: str | None = None,
    progress: Callable[[Iteration], None] | None = None,
    say: Say | None = None,
    start: str | None = None,
    end: str | None = None,
    step: str | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    report: bool = True,
    option: str | None = None,
) -> SDDPRun:
    """Train a policy on `inflows`, then simulate it on the ensemble's members.

    `start`, `end`, `step` override the model's `time` block, as for `vakhsh run`.
    `out`: write the output folder there (checked before anything is trained; replaced
    only when it is an earlier SDDP output and `overwrite` is set); `option` names it in
    errors (`--out` on the command line)."""
    options = options or SDDPOptions()
    say = say or (lambda _m: None)
    options.check()
    with _held(out, overwrite, option) as tmp:
        run = _train(
            model,
            inflows,
            options,
            scenario,
            progress,
            say,
            {"start": start, "end": end, "step": step},
        )
        _write(run, tmp, report, say)
    return run


def _train(
    model, inflows, options: SDDPOptions, scenario, progress, say: Say, horizon: dict
) -> SDDPRun:
    net = _network(model, scenario, horizon)
    started = time.perf_counter()
    ensemble = load_inflows(net, inflows)
    sddp_model = build_sddp_model(net, ensemble, options, say)
    built = time.perf_counter()
    say("training")
    log = train(sddp_model, options.stopping_rules(), progress)
    trained = time.perf_counter()
    policy = policy_of(sddp_model, len(log.iterations), log.lower_bound_usd, _sha(net, options))
    # simulate what was saved: the stage problems rebuilt with the policy's cuts, exactly
    # as `simulate_policy` will (a warm-started problem can land on another of several
    # optimal vertices, so the trained problems themselves would not replay bit for bit)
    sim_model = policy_model(net, ensemble, policy, options, say, lps=sddp_model.lps)
    simulation = _simulate_members(sim_model, ensemble, options.simulate, say)
    done = time.perf_counter()
    run = SDDPRun(
        model=sim_model,
        log=log,
        simulation=simulation,
        policy=policy,
        timings={
            "build_s": built - started,
            "train_s": trained - built,
            "simulate_s": done - trained,
        },
    )
    return _with_foresight(run, options.perfect_foresight, say)


def _with_foresight(run: SDDPRun, wanted: bool, say: Say) -> SDDPRun:
    if wanted and run.simulation is not None:
        from vakhsh.sddp.foresight import perfect_foresight

        started = time.perf_counter()
        run.foresight = perfect_foresight(run, say)
        run.timings["perfect_foresight_s"] = time.perf_counter() - started
    return run


def policy_model(
    net: Network, ensemble, policy: Policy, options: SDDPOptions, say: Say, lps: list | None = None
) -> SDDPModel:
    """Stage problems of `net` under `ensemble` with the policy's cuts (on new HiGHS
    problems of the stage LPs `lps` when the training's are given)."""
    meta = policy.meta
    model = build_sddp_model(
        net,
        ensemble,
        options,
        say,
        par_slopes=policy.par_slopes,
        outcomes=meta["outcomes_per_stage"],
        lps=lps,
    )
    # HiGHS scales an LP when it first solves it and scales rows added later on their own;
    # training solved every stage before its first cut, so do the same here, for the
    # rebuilt problems to be the trained ones bit for bit
    trainer = Trainer(model, np.random.default_rng(0))
    for s in range(len(model.stages)):
        trainer.solve(s, model.states.initial, outcome=0)
    load_cuts(policy, model)
    return model


def simulate_policy(
    model: str | Path | Network,
    policy_dir: str | Path,
    inflows: str | Path,
    scenario: str | None = None,
    members: int | None = None,
    say: Say | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    report: bool = True,
    option: str | None = None,
    perfect_foresight: bool = False,
) -> SDDPRun:
    """Simulate a saved policy on the members of another ensemble (out of sample), over
    the horizon it was trained on; `out`, `overwrite`, `report`, `option` as for `sddp`;
    `perfect_foresight`: also solve each member's deterministic LP (foresight.py)."""
    say = say or (lambda _m: None)
    with _held(out, overwrite, option) as tmp:
        run = _simulate_saved(model, policy_dir, inflows, scenario, members, say)
        run = _with_foresight(run, perfect_foresight, say)
        _write(run, tmp, report, say)
    return run


def _simulate_saved(model, policy_dir, inflows, scenario, members, say: Say) -> SDDPRun:
    policy = read_policy(policy_dir)
    horizon = policy.meta["horizon"]
    net = _network(model, scenario, horizon)
    meta = policy.meta
    # a policy written before the head model was recorded was trained at fixed head
    options = SDDPOptions(
        noise=meta["noise"],
        stage=meta["stage_kind"],
        risk=meta["risk"],
        cut=meta["cut"],
        iterations=1,
        gap=None,
        head=meta.get("head", "fixed"),
    )
    started = time.perf_counter()
    ensemble = load_inflows(net, inflows)
    sddp_model = policy_model(net, ensemble, policy, options, say)
    built = time.perf_counter()
    simulation = _simulate_members(sddp_model, ensemble, members, say)
    log = TrainingLog(stopped_by="loaded")
    return SDDPRun(
        model=sddp_model,
        log=log,
        simulation=simulation,
        policy=policy,
        timings={
            "build_s": built - started,
            "train_s": 0.0,
            "simulate_s": time.perf_counter() - built,
        },
        kind="sddp-simulate",
    )


def _simulate_members(model: SDDPModel, ensemble, count: int | None, say: Say) -> Simulation | None:
    count = ensemble.size if count is None else count
    if count == 0:
        return None
    if count > ensemble.size:
        raise ModelError(
            [
                Problem(
                    "command line",
                    "--simulate",
                    f"the ensemble has only {ensemble.size} members",
                    count,
                )
            ]
        )
    simulation = simulate(model, ensemble.steps_m3s[:count], ensemble.members[:count], say)
    for report in simulation.audits:
        require_passed(report)
    return simulation


def _sha(net: Network, options: SDDPOptions) -> str:
    return provenance(net, options)["model_sha256"]
