"""The validated, labelled Network and how to load and write it."""

from vakhsh.network.load import embedded_datasets, load_network, resolve_model_path
from vakhsh.network.network import Network
from vakhsh.network.series import RunTime
from vakhsh.network.write import write_network

__all__ = [
    "Network",
    "RunTime",
    "embedded_datasets",
    "load_network",
    "resolve_model_path",
    "write_network",
]
