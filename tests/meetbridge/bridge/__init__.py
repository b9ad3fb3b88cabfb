"""Tests of the phone bridge: dial-out and hang-up, each capped in spending."""
