"""The installed version of vakhsh (a module of its own: any layer may read it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vakhsh")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
