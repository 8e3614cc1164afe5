"""The names vakhsh gives its outputs on disk, and the error every refusal raises."""

from __future__ import annotations

from datetime import UTC, datetime

from vakhsh.errors import VakhshError

MARKER = ".vakhsh-output.json"
LOCK_FILE = ".vakhsh-writing"
TMP_TAG = ".vakhsh-tmp-"
OLD_TAG = ".vakhsh-old-"
TRASH_TAG = ".vakhsh-trash-"
PART_TAG = ".vakhsh-part-"  # one file being written inside a folder vakhsh owns
SIGNATURE_BYTES = 4096
# how long a writer waits for another to finish its (sub-second) check-and-rename step
PARENT_LOCK_TIMEOUT_S = 60.0

# the names shown in messages: the command line passes its own (--out, --overwrite)
API_OPTION = "path"
API_OVERWRITE = "overwrite=True"


class OutputError(VakhshError):
    """An output path that vakhsh refuses to write; nothing was changed."""

    def __init__(self, shown: str, message: str, option: str = API_OPTION):
        self.shown, self.message, self.option = shown, message, option
        where = f"{option} {shown}" if option.startswith("-") else shown
        super().__init__(f"{where}: {message}")


def version() -> str:
    from vakhsh.version import __version__

    return __version__


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
