"""The exported models' objectives in PyPSA beside vakhsh's fixed-head objective.

    python bench/export_objectives.py            # the figures of docs/pypsa.md

Each model over its own horizon: vakhsh at fixed head, then `vakhsh.interop.to_pypsa`
optimised by PyPSA (HiGHS). toy-cascade's delayed reach exports at delay 0 (PyPSA links
have no travel time), on both sides.
"""

from __future__ import annotations

import json
import logging
import warnings

MODELS = {"central-asia": {}, "toy-cascade": {"reaches.lower_river.delay_steps": 0}}


def main() -> None:
    warnings.simplefilter("ignore")
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import vakhsh
    from vakhsh.interop import to_pypsa

    for model, overrides in MODELS.items():
        net = vakhsh.load(model, overrides=overrides)
        ours = vakhsh.optimise(net, vakhsh.SolveOptions(head="fixed")).objective_usd
        n = to_pypsa(net)
        n.optimize(
            solver_name="highs",
            include_objective_constant=False,
            solver_options={"output_flag": False},
            progress=False,
        )
        print(
            json.dumps(
                {
                    "model": model,
                    "overrides": overrides,
                    "vakhsh_usd": ours,
                    "pypsa_usd": float(n.objective),
                    "relative_difference": abs(float(n.objective) / ours - 1),
                }
            )
        )


if __name__ == "__main__":
    main()
