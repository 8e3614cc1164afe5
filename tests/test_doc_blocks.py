"""The one way generated figures are written into a page: only between its markers."""

from __future__ import annotations

import pytest

from vakhsh.errors import VakhshError
from vakhsh.outputs.doc_blocks import read_block, replace_block

START, END = "<!-- t:start -->", "<!-- t:end -->"


def test_only_the_block_changes(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\nhand text\n{START}\nold\n{END}\nmore hand text\n")
    replace_block(page, START, END, "\n| a |\n|---|\n| 1 |\n\n")
    assert page.read_text() == (
        f"# Title\n\nhand text\n{START}\n| a |\n|---|\n| 1 |\n{END}\nmore hand text\n"
    )
    assert read_block(page, START, END) == "| a |\n|---|\n| 1 |\n"


@pytest.mark.parametrize("text", ["no markers\n", f"{END}\nswapped\n{START}\n", f"{START}\n"])
def test_a_page_without_its_markers_is_refused_and_left_alone(tmp_path, text):
    page = tmp_path / "page.md"
    page.write_text(text)
    with pytest.raises(VakhshError, match=r"page\.md: the markers"):
        replace_block(page, START, END, "new")
    assert page.read_text() == text
