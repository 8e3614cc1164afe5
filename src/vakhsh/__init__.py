"""vakhsh: open water-energy planning for hydropower-dominated regions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vakhsh")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
