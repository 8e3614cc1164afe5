"""What a run records to be reproducible (`vakhsh.results.results.provenance`): the model's
and files' hashes, the versions of the packages that built and solved it, Python, options."""

from __future__ import annotations

import importlib.metadata
import platform
from pathlib import Path

import numpy as np

import vakhsh
from vakhsh.results import results as results_module
from vakhsh.results.results import json_value, provenance

PACKAGES = ("vakhsh", "linopy", "highspy", "xarray", "pandas", "numpy")


def test_provenance_records_the_versions_that_built_and_solved_the_run():
    net = vakhsh.load("toy-cascade")
    out = provenance(net, vakhsh.SolveOptions(head="fixed"))
    assert out["packages"] == {name: importlib.metadata.version(name) for name in PACKAGES}
    assert out["packages"]["vakhsh"] == vakhsh.__version__
    assert out["model_sha256"] == net.model_sha256
    assert out["files_sha256"] == dict(net.inputs.files) and out["files_sha256"]
    assert out["python"] == platform.python_version()
    assert out["options"]["head"] == "fixed"
    assert "inflows" not in out  # no ensemble member


def test_a_package_that_is_not_installed_is_recorded_as_null(monkeypatch):
    def version(name):
        if name == "highspy":
            raise importlib.metadata.PackageNotFoundError(name)
        return "1.0"

    monkeypatch.setattr(results_module, "version", version)
    packages = provenance(vakhsh.load("toy-cascade"), vakhsh.SolveOptions())["packages"]
    assert packages["highspy"] is None and packages["numpy"] == "1.0"


def test_options_are_recorded_as_json_holds_them():
    assert [json_value(v) for v in (None, True, 3, 2.5, "auto")] == [None, True, 3, 2.5, "auto"]
    assert json_value(3) == 3 and not isinstance(json_value(3), str)
    value = json_value(np.int64(7))  # numpy's integers are no int: made one
    assert value == 7 and type(value) is int
    nested = {1: Path("runs/a"), "sizes": (1, np.int64(2)), "none": None}
    assert json_value(nested) == {"1": "runs/a", "sizes": [1, 2], "none": None}
