"""What speech recognition heard becomes a display name only when it is short, plain and confident."""

from __future__ import annotations

import pytest

from meetbridge.caller_names import MAX_NAME_LENGTH, Heard, clean_name, heard_from


def best(text: str, confidence: float = 0.9) -> list[Heard]:
    return [Heard(text, confidence)]


@pytest.mark.parametrize(("text", "name"), [
    ("maria", "Maria"),
    ("  anna   marie ", "Anna Marie"),
    ("Jean-Luc", "Jean-Luc"),
    ("o'brien", "O'brien"),
    ("Siobhán Ó Súilleabháin", "Siobhán Ó Súilleabháin"),
    ("McDonald", "McDonald"),  # mixed case stays as recognised
    ("Maria.", "Maria"),  # recognisers end sentences with a full stop
    ("maria\nbob", "Maria Bob"),  # any whitespace is one space
    ("田中", "田中"),
    ("a" * MAX_NAME_LENGTH, "A" + "a" * (MAX_NAME_LENGTH - 1)),
])
def test_a_short_plain_confident_result_is_a_name(text, name):
    assert clean_name(best(text)) == name


@pytest.mark.parametrize("text", [
    "", "   ", ".", "a" * (MAX_NAME_LENGTH + 1), "my name is maria and i am late", "maria 2", "call 0800",
    "<@U0ADA>", "*bold*", "maria@example.com", "-maria", "'maria", "anne--marie", "anne - marie",
    "https://example.com", "maria\u202edelta", "maria\tbob\x00",
])
def test_anything_else_is_no_name(text):
    assert clean_name(best(text)) is None


def test_the_most_confident_transcript_is_taken_and_must_be_confident_enough():
    assert clean_name([Heard("mario", 0.6), Heard("maria", 0.94)]) == "Maria"
    assert clean_name([Heard("maria", 0.49)]) is None
    assert clean_name([Heard("maria", None)]) is None
    assert clean_name([]) is None


def test_vonages_speech_object_is_read_defensively():
    speech = {"timeout_reason": "end_on_silence_timeout",
              "results": [{"confidence": "0.9405097", "text": "sales"}, {"confidence": 0.5, "text": "sails"}]}
    assert heard_from(speech) == [Heard("sales", 0.9405097), Heard("sails", 0.5)]
    assert heard_from({**speech, "timeout_reason": "start_timeout"}) == []  # the caller said nothing
    assert heard_from({**speech, "error": "ERR1: Failed to analyze audio"}) == []
    assert heard_from({"results": [{"text": 5}, "x", {"confidence": "1"}]}) == []
    odd = heard_from({"results": [{"text": "a", "confidence": "high"}, {"text": "b", "confidence": True},
                                  {"text": "c", "confidence": 1.5}]})
    assert [one.confidence for one in odd] == [None, None, None]
    assert heard_from(None) == heard_from("maria") == heard_from({"results": "maria"}) == []
