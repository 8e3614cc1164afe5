"""`--write-lp`: the LP as solved, to a .lp or .mps file vakhsh can recognise again.

The file carries vakhsh's signature in its first (comment) line and is written through
`vakhsh.outputs` (atomically; replacing only an LP file vakhsh wrote). linopy's own
`Model.to_file` deletes whatever file is at the path first, so it only ever sees the
temporary name.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

LP_KIND = "lp"
LP_COMMENTS = {".lp": "\\ ", ".mps": "* "}


def write_lp_file(model, path, overwrite: bool = True, option: str = "write_lp") -> Path:
    from vakhsh.outputs import output_file, prepend_comment

    comment = lp_comment(path, option)
    with output_file(path, LP_KIND, overwrite=overwrite, option=option) as tmp:
        with _quiet_stdout():  # HiGHS would announce the temporary file's name
            model.to_file(tmp)
        prepend_comment(tmp, comment, LP_KIND)
    return Path(path)


def lp_comment(path, option: str = "write_lp") -> str:
    """The comment prefix of an LP file format, or an error naming the known ones."""
    suffix = Path(path).suffix.lower()
    if suffix not in LP_COMMENTS:
        from vakhsh.errors import ModelError, Problem

        raise ModelError(
            [
                Problem(
                    "command line" if option.startswith("-") else "options",
                    option,
                    "expected a file ending in .lp or .mps",
                    path,
                )
            ]
        )
    return LP_COMMENTS[suffix]


@contextlib.contextmanager
def _quiet_stdout():
    """Silence what C code prints on file descriptor 1 (HiGHS's "Writing the model")."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
