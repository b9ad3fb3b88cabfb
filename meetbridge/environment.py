"""The process environment as meetbridge reads it: `.env` first, empty values unset.

`.env` in the working directory is loaded when present (it never overrides the real
environment), and an empty value counts as unset everywhere. Our own settings reader already
treats `NAME=` as unset, but the Slack SDK reads some variables itself and only asks whether they
exist: an empty `SLACK_CLIENT_ID=` copied from .env.example made Bolt switch on its file-based
OAuth flow in single-workspace mode. So empty SLACK_* variables are removed, and Bolt is built
with every SLACK_* variable hidden: it gets its values from Settings alone (a bot token in the
environment made it warn on every start that the token "will be unused").
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from dotenv import load_dotenv

SDK_PREFIX = "SLACK_"


def load_environment(directory: Path | None = None) -> None:
    """Load `<directory or cwd>/.env` into os.environ, then forget empty Slack variables."""
    load_dotenv((directory or Path.cwd()) / ".env")
    forget_empty_sdk_variables(os.environ)


def forget_empty_sdk_variables(environ: MutableMapping[str, str]) -> list[str]:
    """Remove SLACK_* variables whose value is empty or blank; returns their names."""
    empty = [name for name, value in environ.items() if name.startswith(SDK_PREFIX) and not value.strip()]
    for name in empty:
        del environ[name]
    return empty


@contextmanager
def sdk_variables_hidden(environ: MutableMapping[str, str]) -> Iterator[None]:
    """Within the block, no SLACK_* variable is visible; afterwards they are all back."""
    hidden = {name: value for name, value in environ.items() if name.startswith(SDK_PREFIX)}
    for name in hidden:
        del environ[name]
    try:
        yield
    finally:
        environ.update(hidden)
