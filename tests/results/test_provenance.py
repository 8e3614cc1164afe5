"""What a run records to be reproducible (`vakhsh.results.results.provenance`): the model's
and files' hashes, the versions of the packages that built and solved it, Python, options."""

from __future__ import annotations

import importlib.metadata
import platform

import vakhsh
from vakhsh.results.results import provenance

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
