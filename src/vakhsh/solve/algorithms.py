"""Which HiGHS algorithm solves an LP: presets chosen from measurements, and a check that
the algorithm asked for is the one that ran.

HiGHS's defaults solve an LP with the dual simplex. On vakhsh's LPs the interior point
solver HiPO (in `highspy-extras`) without crossover overtakes it as the LP grows
(bench/README.md, "Solver choice"): the simplex's iterations grow faster than linearly
with the steps of a time-coupled LP, the interior point's barely. HiPO needs the
`highspy-extras` built for the same HiGHS version; with a mismatched pair HiGHS logs an
error and silently runs another algorithm, so the log is read after every solve and a
run whose algorithm is not the one asked for fails.

Presets (`SolveOptions.preset`, `vakhsh run --solver-options preset=NAME`):

- `auto` (default): `simplex` below `AUTO_IPM_COLUMNS` columns, `hipo` from there on (or
  `simplex` when HiPO is not installed); MIPs keep HiGHS's defaults;
- `simplex`: the dual simplex (a vertex solution);
- `hipo`, `ipx`: that interior point solver without crossover (an interior optimum: ties
  between equally cheap options are split);
- `highs`: nothing set, HiGHS chooses.

HiPO's own defaults are tuned for LPs in general; on vakhsh's LPs two choices are known in
advance (bench/README.md, "HiPO's time"; `bench/solver_levers.py`):

- HiPO analyses both of its Newton systems (the augmented system and the normal
  equations, each ordered by amd and by metis) and keeps the cheaper; on an LP whose
  every column is indexed by time (each column in a few rows of its own step and the
  next) it keeps the normal equations ordered by metis every time, and the augmented
  system's analyse alone costs about a tenth of the solve at 8,760 steps. Such LPs get
  `hipo_system=normaleq`, `hipo_ordering=metis`; an LP with a column outside time (an
  investment, whose column meets every step: a dense column that would fill the normal
  equations) keeps HiPO's choice;
- HiGHS uses half the machine's cores by default (one on two); HiPO's factorisation and
  solves run in parallel, so a HiPO solve gets `threads` = the cores this process may
  use. A simplex solve on more than one core runs HiGHS's parallel dual simplex (PAMI,
  `parallel=on`, `simplex_strategy=2`, `threads` = the cores): on vakhsh's LPs it takes
  the same iterations to the same vertex as the serial one, in about 0.8-0.88 of its time
  on two cores (bench/README.md, the solver-levers run labelled `pami`; toy-cascade and
  central-asia alike). Dask's workers (one core each) keep the serial simplex. HiGHS
  keeps one thread pool per calling thread and fails a solve that asks for another
  number of threads than that pool has; linopy runs every HiGHS solve in a
  thread of its own, so solves with different `threads` follow each other in one
  process (tests/solve/test_hipo_options.py).

Explicit `solver_options` always win over the preset's.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from typing import Any

from vakhsh.errors import SolveError

# From the bench (6 buses x 4 reservoirs, HiGHS 1.15.1, CPU s dual simplex / HiPO with
# HIPO_TIME_INDEXED, one thread; bench/solver_levers.py, bench/README.md): 240 steps (24k
# columns) 0.4 / 0.6, 2,190 (223k) 7.8 / 13.0, 4,380 (447k) 24.1 / 20.4, 8,760 hourly
# (894k) 239 / 57. The simplex grows about as steps^1.6, HiPO as steps^0.7: they cross near
# 3,600 steps (~370k columns); with two threads HiPO crosses earlier, still above 2,190.
AUTO_IPM_COLUMNS = 300_000

PRESETS: dict[str, dict[str, Any]] = {
    "simplex": {"solver": "simplex"},
    "hipo": {"solver": "hipo", "run_crossover": "off"},
    "ipx": {"solver": "ipx", "run_crossover": "off"},
    "highs": {},
}
NAMES = ("auto", *PRESETS)
# HiPO on an LP whose columns are all indexed by time: the Newton system and ordering it
# chooses there anyway, without analysing the others (module docstring)
HIPO_TIME_INDEXED = {"hipo_system": "normaleq", "hipo_ordering": "metis"}
# the dual simplex's parallel variant (PAMI), as measured in bench/solver_levers.py
SIMPLEX_PARALLEL = {"parallel": "on", "simplex_strategy": 2}
# HiGHS: "unlikely to be more than eight [threads] due to most computation being memory-bound"
MAX_THREADS = 8


def available_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count), at most
    OMP_NUM_THREADS where that is set: Dask's nanny sets it to 1 in every worker it starts,
    so the solves of an ensemble or an SDDP pass do not each take every core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if limit.isdigit() and int(limit) > 0:
        cores = min(cores, int(limit))
    return cores


def hipo_available() -> bool:
    """HiPO works only with `highspy-extras` of the same version as highspy."""
    try:
        return importlib.metadata.version("highspy-extras") == importlib.metadata.version("highspy")
    except importlib.metadata.PackageNotFoundError:
        return False


def highs_options(
    preset: str,
    columns: int,
    integer: bool,
    explicit: dict[str, Any],
    *,
    time_indexed: bool = False,
    cores: int | None = None,
) -> dict[str, Any]:
    """HiGHS options of one solve: the preset's (resolved for this LP) under `explicit`.
    A HiPO solve of an LP whose columns are all indexed by time (`time_indexed`) gets
    `HIPO_TIME_INDEXED`; with `cores` above 1, HiPO gets that many threads (at most
    `MAX_THREADS`)."""
    if preset not in NAMES:
        raise SolveError(f"unknown solver preset {preset!r}; known: {', '.join(NAMES)}")
    if preset == "auto":
        if integer:
            preset = "highs"
        elif columns >= AUTO_IPM_COLUMNS and hipo_available():
            preset = "hipo"
        else:
            preset = "simplex"
    options = dict(PRESETS[preset])
    solver = options.get("solver")
    if solver == "hipo" and time_indexed:
        options.update(HIPO_TIME_INDEXED)
    if solver in ("hipo", "simplex") and cores is not None and cores > 1:
        # both run in parallel on `cores` threads (the simplex as PAMI: module docstring)
        if solver == "simplex":
            options.update(SIMPLEX_PARALLEL)
        options["threads"] = min(cores, MAX_THREADS)
    options.update(explicit)
    if str(options.get("solver", "")).lower() == "hipo" and not hipo_available():
        raise SolveError(_no_hipo())
    return options


def _no_hipo() -> str:
    try:
        version = importlib.metadata.version("highspy")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return (
        "HiGHS's HiPO solver needs highspy-extras of the same version as highspy "
        f"({version}): pip install highspy-extras=={version}, or choose another "
        "solver (--solver-options preset=simplex)"
    )


def algorithm_ran(log: str, info: Any | None) -> str:
    """The algorithm HiGHS used, from its log and info: hipo, ipx, simplex or none (the
    LP was solved by presolve alone, or HiGHS said nothing)."""
    if re.search(r"^Hipo:", log, re.MULTILINE):
        return "hipo"
    if re.search(r"^(IPX model has|Ipx:)", log, re.MULTILINE):
        return "ipx"
    if info is not None and int(getattr(info, "ipm_iteration_count", 0) or 0) > 0:
        return "ipm"
    if info is not None and int(getattr(info, "simplex_iteration_count", 0) or 0) > 0:
        return "simplex"
    if "simplex" in log.lower():
        return "simplex"
    return "none"


def check_algorithm(requested: str | None, ran: str, log: str) -> None:
    """Fail when HiGHS ran another algorithm than the one asked for (a solve that needed
    no algorithm at all, presolve having solved it, passes)."""
    requested = (requested or "choose").lower()
    refused = [
        line.strip()
        for line in log.splitlines()
        if line.startswith("ERROR:") and "solver" in line.lower()
    ]
    wanted = {
        "hipo": {"hipo"},
        "ipx": {"ipx"},
        "ipm": {"hipo", "ipx", "ipm"},
        "simplex": {"simplex"},
    }.get(requested)
    if wanted is None:
        return
    if refused or (ran != "none" and ran not in wanted):
        why = f": {refused[0]}" if refused else ""
        hint = f" ({_no_hipo()})" if requested == "hipo" else ""
        raise SolveError(f"HiGHS was asked for solver={requested} but ran {ran}{why}{hint}")
