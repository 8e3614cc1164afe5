"""The one way a command reports bad input: `vakhsh: error:` lines on stderr, exit 2.

`--debug` (an option of the root command, kept in the click context, not in a global)
prints the traceback as well; the exit status stays 2, since the input is still bad."""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import typer

from vakhsh.cli.console import err_console
from vakhsh.errors import ModelError, Problem, VakhshError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Settings:
    """What the root command's options tell every sub-command (`ctx.obj`)."""

    debug: bool = False


# the click context reaches a command as a parameter of this name, added to its signature
CONTEXT = "cli_context"


def debugging(ctx: typer.Context | None) -> bool:
    settings = ctx.find_object(Settings) if ctx is not None else None
    return bool(settings and settings.debug)


def reports_errors(func: F) -> F:
    """Turn a VakhshError into `vakhsh: error:` lines and exit status 2.

    The wrapper asks typer for the context (a `typer.Context` parameter in its signature)
    to learn whether `--debug` was given; the command itself does not see it."""
    signature = inspect.signature(func, eval_str=True)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = kwargs.pop(CONTEXT, None)
        try:
            return func(*args, **kwargs)
        except VakhshError as exc:
            if debugging(ctx):  # the traceback too, but bad input still exits 2
                traceback.print_exc()
            for line in exc.lines():
                err_console.print(
                    f"vakhsh: error: {line}", markup=False, highlight=False, soft_wrap=True
                )
            raise typer.Exit(2) from None

    context = inspect.Parameter(CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), context]
    )
    wrapper.__annotations__ = {**func.__annotations__, CONTEXT: typer.Context}
    return wrapper  # type: ignore[return-value]


def bad_option(option: str, message: str, *value: Any) -> ModelError:
    """The error for a command-line value, named by its option (raise it)."""
    return ModelError([Problem("command line", option, message, *value)])
