"""Where one SDDP training iteration's time goes on a model (issue 11): cProfile over a few
iterations after the build, the top functions by cumulative and own time.

    python bench/profile_sddp_iteration.py central-asia --members 100 --iterations 3
        [--forward-passes 1] [--cut single] [--gap-period 0]

`--gap-period N` (N > 0) adds a statistical gap check every N iterations with
`--gap-replications` paths, so that the simulation's share shows too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

from bench_sddp import one_year_inflows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--forward-passes", type=int, default=1)
    parser.add_argument("--cut", default="single")
    parser.add_argument("--gap-period", type=int, default=0)
    parser.add_argument("--gap-replications", type=int, default=25)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from vakhsh.network import load_network
    from vakhsh.sddp.inflows import load_inflows
    from vakhsh.sddp.model import build_sddp_model
    from vakhsh.sddp.options import SDDPOptions
    from vakhsh.sddp.train import train

    inflows = one_year_inflows(args.model, args.members, args.seed, args.out)
    net = load_network(args.model)
    options = SDDPOptions(
        iterations=args.iterations,
        forward_passes=args.forward_passes,
        cut=args.cut,
        gap=0.0 if args.gap_period else None,
        gap_period=max(args.gap_period, 1),
        gap_replications=args.gap_replications,
    )
    model = build_sddp_model(net, load_inflows(net, inflows), options)
    profile = cProfile.Profile()
    cpu0 = time.process_time()
    profile.enable()
    log = train(model, options.stopping_rules())
    profile.disable()
    cpu = time.process_time() - cpu0
    n = len(log.iterations)
    print(f"{n} iterations, {log.solves} solves, {cpu:.1f} CPU s ({cpu / n:.2f} per iteration)")
    for key in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(key).print_stats(args.top)
        print(text.getvalue())


if __name__ == "__main__":
    main()
