"""vakhsh: open water-energy planning for hydropower-dominated regions.

import vakhsh
net = vakhsh.load("toy-cascade", scenario="dry")
results = vakhsh.optimise(net, vakhsh.SolveOptions(head="iterate"))
results.summary()["objective_usd"]; results.dataset; results.to_folder("runs/dry")
"""

from vakhsh.version import __version__


def __getattr__(name: str):
    # imported lazily so that `vakhsh --version` and `vakhsh validate` start fast
    if name in ("load", "load_network"):
        from vakhsh.network import load_network

        return load_network
    if name in ("optimise", "optimize"):
        from vakhsh.pipeline import optimise

        return optimise
    if name == "SolveOptions":
        from vakhsh.solve.options import SolveOptions

        return SolveOptions
    if name == "Network":
        from vakhsh.network import Network

        return Network
    raise AttributeError(f"module 'vakhsh' has no attribute {name!r}")


__all__ = ["__version__", "load", "optimise", "SolveOptions", "Network"]
