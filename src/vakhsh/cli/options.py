"""Arguments and options that several commands share, and the default model."""

from __future__ import annotations

from typing import Annotated

import typer

DEFAULT_MODEL = "central-asia"
FALLBACK_MODEL = "toy-cascade"

ModelArg = Annotated[
    str,
    typer.Argument(
        help="A model folder or the name of an embedded dataset (see `vakhsh datasets`)."
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        "-s",
        help="A scenario defined in the model; join several with '+' "
        "(dry+nurek_design_storage): their settings apply in that order and their "
        "monthly inflow factors multiply. Given twice, the last -s wins.",
    ),
]


def default_model() -> str:
    from vakhsh.network import embedded_datasets

    return DEFAULT_MODEL if DEFAULT_MODEL in embedded_datasets() else FALLBACK_MODEL
