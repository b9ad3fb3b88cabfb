"""Shared checks of the gettext catalogs (one domain per side of the product): where the
English source sentences are marked, and what a catalog must hold for each of them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from meetbridge import words
from meetbridge.words import catalog_path

TRANSLATED = [language for language in words.LANGUAGES if language != words.SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def marked_in(paths: Iterable[Path], root: Path, method: str = "python", keyword: str = "N_") -> dict[str, str]:
    """Every sentence marked with `keyword` in `paths`, by source sentence → file:line (from `root`)."""
    found: dict[str, str] = {}
    for path in paths:
        for line, message, _, _ in extract_from_file(method, str(path), keywords={keyword: None}):
            found.setdefault(str(message), f"{path.relative_to(root)}:{line}")
    return found


def read_catalog(language: str, domain: str) -> Catalog:
    """A language's catalog of one domain, as the .po file in the repository holds it."""
    with catalog_path(language, domain).open("rb") as source:
        return read_po(source, locale=language, domain=domain)


def catalog_problems(language: str, domain: str, marked: dict[str, str],
                     same_in_english: Callable[[str], bool] = lambda sentence: False) -> list[str]:
    """What is wrong with a catalog for the marked sentences: missing, fuzzy, placeholders that
    differ from the source's, or left in English (unless `same_in_english` allows it)."""
    catalog = read_catalog(language, domain)
    problems = []
    for sentence, where in sorted(marked.items()):
        entry = catalog.get(sentence)
        if entry is None or not entry.string:
            problems.append(f"missing: {sentence!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {sentence!r}")
        elif sorted(PLACEHOLDER.findall(str(entry.string))) != sorted(PLACEHOLDER.findall(sentence)):
            problems.append(f"placeholders differ: {sentence!r} → {entry.string!r}")
        elif entry.string == sentence and not same_in_english(sentence):
            problems.append(f"left in English: {sentence!r}")
    return problems


def stale_sentences(language: str, domain: str, marked: Iterable[str]) -> set[str]:
    """Sentences a catalog holds that the product no longer says."""
    return {str(message.id) for message in read_catalog(language, domain) if message.id} - set(marked)
