"""Tests of the phone bridge: dial-out and hang-up (SPEC §2.4)."""
