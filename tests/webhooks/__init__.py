"""Tests of the Vonage Voice webhooks: answer, DTMF, events."""
