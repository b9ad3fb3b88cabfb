"""`python -m meetbridge.settings` prints README's settings table; `--readme` writes it there."""

from __future__ import annotations

import sys

from .readme import markdown_table, write_readme


def main(argv: list[str]) -> int:
    """Print the table, or with --readme update README.md and say whether it changed."""
    if argv == ["--readme"]:
        print("README.md updated" if write_readme() else "README.md already up to date")
        return 0
    if argv:
        print("usage: python -m meetbridge.settings [--readme]", file=sys.stderr)
        return 2
    print(markdown_table(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
