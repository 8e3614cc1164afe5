"""The LP is built without leaning on linopy's legacy alignment of mismatched coordinates.

linopy 0.10 aligns the two sides of a constraint by label and warns where they disagree
(`LinopySemanticsWarning`; "under v1 this raises ValueError"): a row exists only where both
sides have a label, so a family that selected the wrong members could lose rows without a
sound. Two mutants of `add_water_balances` (the junction balance over every node) were
equivalent only through that rule (docs/mutation-survivors.md). Here the warning is an error.
"""

from __future__ import annotations

import warnings

import pytest
from linopy.config import LinopySemanticsWarning

from vakhsh.math.build import build_model
from vakhsh.math.context import BuildConfig
from vakhsh.network import load_network
from vakhsh.pipeline.core import Operation
from vakhsh.solve.head import fixed_parameters
from vakhsh.solve.heads import head_model
from vakhsh.solve.options import SolveOptions


@pytest.mark.parametrize("model", ["toy-cascade", "central-asia"])
@pytest.mark.parametrize("head", ["auto", "fixed"])
def test_the_default_models_build_with_aligned_coordinates(model, head):
    net = load_network(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LinopySemanticsWarning)
        formulation = Operation(net, head_model(SolveOptions(head=head))).formulate(None)
    assert formulation.size()["rows"] > 0


def test_the_diagnosis_build_has_aligned_coordinates_too():
    net = load_network("toy-cascade")
    with warnings.catch_warnings():
        warnings.simplefilter("error", LinopySemanticsWarning)
        ctx = build_model(net, fixed_parameters(net), BuildConfig(elastic=True))
    assert ctx.elastic  # the slacks of every family are there
