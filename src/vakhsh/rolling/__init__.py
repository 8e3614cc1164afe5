"""Rolling horizon: a long run solved in overlapping windows priced by a coarse solve
(`vakhsh run --rolling WINDOW[,OVERLAP]`); see `vakhsh.rolling.run`."""

from vakhsh.rolling.exact import optimise_exact
from vakhsh.rolling.run import optimise_rolling
from vakhsh.rolling.spec import RollingSpec, Window, parse

__all__ = ["optimise_exact", "optimise_rolling", "parse", "RollingSpec", "Window"]
