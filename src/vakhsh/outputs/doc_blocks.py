"""Generated blocks inside hand-written pages (docs/*.md, bench/README.md).

A script that regenerates a page's figures writes them between two HTML comments, and a
test reads the block back to fail when the page is stale. Both go through here, so every
page is edited the same way: only between its markers, never anywhere else, and a page
whose markers are missing is an error instead of a silent append.
"""

from __future__ import annotations

from pathlib import Path

from vakhsh.errors import VakhshError


def _split(path: Path, start: str, end: str) -> tuple[str, str, str]:
    """The page's text before `start`, between the markers, and from `end` on."""
    text = Path(path).read_text(encoding="utf-8")
    if start not in text or end not in text or text.index(start) > text.index(end):
        raise VakhshError(f"{path}: the markers {start} ... {end} are not in the page")
    head, rest = text.split(start, 1)
    inside, tail = rest.split(end, 1)
    return head, inside, tail


def read_block(path: Path, start: str, end: str) -> str:
    """The block between the markers, as the page shows it (one trailing newline)."""
    return _split(path, start, end)[1].strip("\n") + "\n"


def replace_block(path: Path, start: str, end: str, block: str) -> None:
    """Put `block` between the markers of `path`; the rest of the page stays as it is."""
    head, _old, tail = _split(path, start, end)
    fresh = f"{head}{start}\n{block.strip(chr(10))}\n{end}{tail}"
    Path(path).write_text(fresh, encoding="utf-8")
