"""Fixtures of the pure domain tests: the domain over a temp-file store and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.meetbridge.phone_domain import PhoneDomain, phone_domain


@pytest.fixture
def domain(tmp_path, voice_keypair) -> Iterator[PhoneDomain]:
    """The phone and join-page domain, no Flask, Slack or HTTP."""
    built, close = phone_domain(voice_keypair[0], str(tmp_path / "meetbridge.db"))
    yield built
    close()
