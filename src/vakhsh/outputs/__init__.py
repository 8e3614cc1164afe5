"""Output folders and files that never lose what was there before.

Every command and API of vakhsh that writes goes through this module:

- ``output_folder(path, kind)`` checks ``path`` at once (call it before loading or
  solving anything), reserves a temporary sibling ``.NAME.vakhsh-tmp-XXXXXXXX/``, yields
  it for the caller to build the *whole* output in, and on success renames it into place
  once. An existing folder is replaced by rename-aside-then-swap; the aside copy is
  removed only after the swap.
- ``output_file(path, kind)`` does the same for one file: the temporary sibling is a
  folder holding the file under its final name, renamed over the target (``os.replace``).
- ``resumable_folder(path, kind)`` is for outputs written piece by piece and resumed
  (ensembles): it creates the folder with its marker, or reuses one of the same kind.
- ``check_folder`` / ``check_file`` run the checks alone (nothing is written).
- ``write_text_atomic`` writes one file inside a folder vakhsh owns (no policy).

The rules, the same for every command:

- every output folder holds ``.vakhsh-output.json`` (kind, vakhsh version, created);
  a file output carries the same facts inside (``file_signature``): a netCDF global
  attribute ``vakhsh_output``, or the text ``vakhsh-output:KIND`` in its first 4 KB (an
  HTML comment, an LP/MPS comment line);
- an existing non-empty folder, or a file, that is not vakhsh's output of the same kind
  is refused; ``overwrite=True`` replaces only vakhsh's own output of the same kind, and
  never ``.``, ``~``, ``/``, the working directory or a folder holding it;
- a file where a folder is wanted (or the reverse), a symbolic link, a parent that cannot
  be written: refused, before anything is computed;
- a target that another live process is writing is refused (its temporary sibling holds a
  lock, ``flock`` on ``.vakhsh-writing``, released by the kernel when its owner dies);
- temporaries of writers that were killed are removed by the next writer in the same
  folder, and an aside copy left by a writer killed between its two renames is put back.

Every refusal is an ``OutputError`` (a VakhshError: exit status 2 on the command line,
naming the path and the way out).
"""

from vakhsh.outputs.layout import MARKER, OutputError
from vakhsh.outputs.locks import clean_stale
from vakhsh.outputs.markers import (
    describe,
    file_signature,
    html_signature,
    netcdf_signature,
    prepend_comment,
    read_marker,
    record_files,
    signature,
    write_marker,
    write_text_atomic,
)
from vakhsh.outputs.rules import check_file, check_folder
from vakhsh.outputs.writers import (
    output_file,
    output_folder,
    resumable_folder,
    scratch_folder,
    write_text_file,
)

__all__ = [
    "MARKER",
    "OutputError",
    "check_file",
    "check_folder",
    "clean_stale",
    "describe",
    "file_signature",
    "html_signature",
    "netcdf_signature",
    "output_file",
    "output_folder",
    "prepend_comment",
    "read_marker",
    "record_files",
    "resumable_folder",
    "scratch_folder",
    "signature",
    "write_marker",
    "write_text_atomic",
    "write_text_file",
]
