"""Tests of the Vonage Voice webhooks (SPEC §2.5)."""
