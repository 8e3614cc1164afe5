"""Tables in a terminal of any width, without ever cutting a number.

rich fits a table that is wider than the terminal by shrinking every column evenly and
cutting cells with '…', numbers included (`13,8…`). `print_table` instead gives every
column at least its widest cell (a number or a name is never broken), lets only the
headers wrap, spends what width is left on unwrapping them, and when even the cells do
not fit side by side prints each row as its own block of `header: value` lines.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


def _width(console: Console, renderable) -> int:
    """The width a cell needs on one line."""
    if isinstance(renderable, str):
        renderable = console.render_str(renderable)
    return Measurement.get(console, console.options, renderable).maximum


def _word(console: Console, header) -> int:
    """The longest word of a header: the narrowest it can wrap to without breaking one."""
    text = console.render_str(header) if isinstance(header, str) else header
    if isinstance(text, Text):
        return max((len(w) for w in text.plain.split()), default=1)
    return Measurement.get(console, console.options, text).minimum


def print_table(table: Table, console: Console) -> None:
    """Print `table` within the console's width, every cell whole (see the module)."""
    columns = table.columns
    if not columns:
        console.print(table)
        return
    cells = [max([_width(console, c) for c in col._cells] or [0]) for col in columns]
    widths = [
        max(cell, _word(console, col.header), 1) for cell, col in zip(cells, columns, strict=True)
    ]
    for col, width in zip(columns, widths, strict=True):
        col.width, col.min_width, col.max_width = width, None, None
        col.overflow, col.no_wrap = "fold", False
    spare = _spare(table, widths, console)
    if spare < 0:  # no outer border, columns one space apart, the header underlined
        table.box, table.show_edge, table.padding = box.SIMPLE_HEAD, False, (0, 0)
        spare = _spare(table, widths, console)
    if spare < 0:
        _print_records(table, console)
        return
    # unwrap the headers, the ones that need least first, while there is room
    wants = sorted((_width(console, col.header) - col.width, i) for i, col in enumerate(columns))
    for want, i in wants:
        grow = min(max(want, 0), spare)
        columns[i].width += grow
        spare -= grow
    console.print(table)


def _spare(table: Table, widths: list[int], console: Console) -> int:
    """The console's width left over by the table at these column widths. rich's own
    measure of a table is capped at the console's width, so add it up here: the cells,
    their padding, the borders."""
    padding = sum(table._get_padding_width(i) for i in range(len(widths)))
    return console.width - (sum(widths) + padding + table._extra_width)


def _print_records(table: Table, console: Console) -> None:
    """Each row as a block: its first cell, then `header: value` for the others."""
    if table.title:
        console.print(table.title, style="italic", overflow="fold")
    columns = table.columns
    headers = [
        Text.from_markup(c.header).plain if isinstance(c.header, str) else str(c.header)
        for c in columns
    ]
    for r in range(table.row_count):
        row = [col._cells[r] for col in columns]
        console.print(
            Text.assemble(headers[0], ": ", _plain(console, row[0]), style="bold"), overflow="fold"
        )
        for header, cell in zip(headers[1:], row[1:], strict=True):
            console.print(
                Text.assemble("  ", header, ": ", _plain(console, cell)), overflow="fold"
            )  # wrapped between words: a number stays whole


def _plain(console: Console, cell) -> Text:
    return console.render_str(cell) if isinstance(cell, str) else Text(str(cell))
