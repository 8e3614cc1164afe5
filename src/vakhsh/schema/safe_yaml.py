"""Read YAML written by people, refusing documents built to exhaust the machine.

A YAML alias (`*name`) repeats an anchored value without writing it again, so a few
kilobytes of nested aliases expand to billions of values ("billion laughs"); deep nesting
exhausts the parser's recursion; a 5,000-digit integer cannot be converted. One pass over
the parser's events, which never recurses and never expands an alias, measures each of
these before anything is built, and refuses the document with the file and line:

* aliases may add at most `MAX_ALIAS_VALUES` values in all (the values they repeat,
  counted with everything nested in them); an alias to a value still being written
  (a recursive structure) is refused;
* collections nest at most `MAX_DEPTH` levels (model.yaml needs about six);
* a plain integer has at most `MAX_INTEGER_DIGITS` digits;
* a key appears at most once in a mapping (YAML would silently keep the last one).

Then the document is loaded by the safe loader (libyaml when PyYAML was built with it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from vakhsh.errors import ModelError, Problem

MAX_ALIAS_VALUES = 10_000
MAX_DEPTH = 50
MAX_INTEGER_DIGITS = 30

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INTEGER = re.compile(r"^[-+]?(0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[0-9][0-9_:]*)$")


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 text of a file's bytes; a problem naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ModelError(
            [
                Problem(
                    file,
                    f"line {line}",
                    "is not UTF-8 text (save the file as UTF-8)",
                    f"byte 0x{data[exc.start]:02x}",
                )
            ]
        ) from None


def read_yaml_file(path: Path, file: str | None = None) -> Any:
    """The document in a YAML file, checked as `load_yaml` does."""
    file = file or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError([Problem(file, "", "file not found", Path(path))]) from None
    except OSError as exc:
        raise ModelError([Problem(file, "", f"cannot be read ({exc.strerror})")]) from None
    return load_yaml(data, file)


def load_yaml(data: bytes | str, file: str) -> Any:
    """The document in `data`: checked for alias bombs, depth, huge integers and repeated
    keys, then loaded safely. Every failure is a ModelError naming `file` and a line."""
    text = decode_text(data, file) if isinstance(data, bytes) else data
    try:
        check_events(text, file)
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ModelError([_syntax_problem(text, exc, file)]) from None


def check_events(text: str, file: str) -> None:
    """One pass over the parser's events; raise a ModelError at the first limit passed."""
    sizes: dict[str, int] = {}  # values under each finished anchor, aliases expanded
    # open collections: [anchor, values so far, keys seen (mappings) or None, expecting key]
    stack: list[list[Any]] = []
    added = 0  # values that aliases repeat
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            _key_seen(stack, None, line, file)
            if len(stack) >= MAX_DEPTH:
                raise _limit(file, line, f"nests more than {MAX_DEPTH} levels deep")
            keys = {} if isinstance(event, yaml.MappingStartEvent) else None
            stack.append([event.anchor, 1, keys, True])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, count, _keys, _expect = stack.pop()
            if anchor is not None:
                sizes[anchor] = count
            _add(stack, count)
        elif isinstance(event, yaml.ScalarEvent):
            _check_scalar(event, line, file)
            _key_seen(stack, event, line, file)
            if event.anchor is not None:
                sizes[event.anchor] = 1
            _add(stack, 1)
        elif isinstance(event, yaml.AliasEvent):
            _key_seen(stack, None, line, file)
            if event.anchor not in sizes:
                raise _limit(
                    file,
                    line,
                    f"alias *{event.anchor} refers to a value that "
                    "contains it (a recursive structure)",
                )
            added += sizes[event.anchor]
            if added > MAX_ALIAS_VALUES:
                raise _limit(
                    file,
                    line,
                    f"aliases expand to more than {MAX_ALIAS_VALUES:,} "
                    f"values (at *{event.anchor}): write the values out, or use "
                    "fewer aliases",
                )
            _add(stack, sizes[event.anchor])


def _add(stack: list[list[Any]], count: int) -> None:
    if stack:
        stack[-1][1] += count


def _key_seen(stack: list[list[Any]], event: yaml.ScalarEvent | None, line: int, file: str) -> None:
    """Track keys of the innermost mapping: a scalar key written twice is refused."""
    if not stack or stack[-1][2] is None:
        return
    frame = stack[-1]
    is_key, frame[3] = frame[3], not frame[3]
    if not is_key or event is None:
        return
    if event.value in frame[2] and event.value != "<<":
        raise ModelError(
            [
                Problem(
                    file,
                    f"line {line}",
                    f"key '{event.value}' appears twice "
                    f"in the same mapping (first at line "
                    f"{frame[2][event.value]}); YAML would keep only the last",
                )
            ]
        )
    frame[2][event.value] = line


def _check_scalar(event: yaml.ScalarEvent, line: int, file: str) -> None:
    if event.style or not event.implicit[0]:
        return  # quoted or tagged: a string, not a number
    value = event.value
    if len(value) > MAX_INTEGER_DIGITS and _INTEGER.match(value):
        digits = sum(c.isalnum() for c in value)
        raise _limit(
            file,
            line,
            f"an integer of {digits:,} digits: numbers of more than "
            f"{MAX_INTEGER_DIGITS} digits are not read",
            value[:20] + "...",
        )


def _limit(file: str, line: int, message: str, *value) -> ModelError:
    return ModelError([Problem(file, f"line {line}", message, *value)])


def _syntax_problem(text: str, exc: yaml.YAMLError, file: str) -> Problem:
    """A syntax error with its line and column; the pure-Python parser, whose messages are
    clearer than libyaml's, is asked again for them."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as clearer:
        exc = clearer
    except RecursionError:
        pass
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    opened = getattr(exc, "context_mark", None)
    if opened is not None and (mark is None or opened.line != mark.line):
        context = getattr(exc, "context", None) or "the construct"
        problem += f" ({context} at line {opened.line + 1}, column {opened.column + 1})"
    return Problem(file, where, f"YAML syntax error: {problem}")
