"""solve/scaling.py names the model fields behind each family's numbers, by the family's
name in the LP: a family renamed in math/ and not there loses its explanation silently.
Every name it knows must be a variable or row that the math builds (toy-cascade with a
priced reach minimum, central-asia; with head-dependent production where a model has it)."""

from __future__ import annotations

from vakhsh.math.build import build_model
from vakhsh.network import load_network
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.scaling import FIELDS


def names_built(net) -> set[str]:
    model = build_model(net, fixed_parameters(net)).model
    return set(model.variables) | set(model.constraints)


def test_every_family_scaling_explains_is_one_the_math_builds(edit_model):
    def price_the_river(raw):
        raw["reaches"]["lower_river"]["shortfall_cost_usd_per_hm3"] = 500

    built = names_built(load_network(edit_model(price_the_river)))
    built |= names_built(load_network("central-asia"))
    assert sorted(set(FIELDS) - built) == []
