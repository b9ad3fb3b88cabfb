"""The numbers the issue quoted, measured again: each test records what it saw beside what the
issue measured on the old code, and the suite prints them all in pytest's terminal summary."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    what: str
    before: str  # as the issue measured it on the old code
    after: str   # what this run measured


MEASURED: list[Measurement] = []


def record(what: str, before: str, after: str) -> None:
    MEASURED.append(Measurement(what, before, after))


def summary_lines() -> list[str]:
    width = max((len(m.what) for m in MEASURED), default=0)
    return [f"{m.what:<{width}}  before: {m.before}  ·  now: {m.after}" for m in MEASURED]
