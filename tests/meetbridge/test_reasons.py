"""Stored reasons are codes, worded when shown: every code's sentence is in every `reasons`
catalog (translated, same placeholders, nothing stale), each code reads in all five languages
with no English left, and an UpstreamError carries a code, never a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from meetbridge import reasons
from meetbridge.errors import UpstreamError
from tests.catalogs import PLACEHOLDER, TRANSLATED, catalog_problems, marked_in, stale_sentences

SOURCE = Path(reasons.__file__).resolve()
# One code of each kind: plain, the platforms', and those carrying a value.
SHOWN = [*reasons.SENTENCES, "idle:5", "max_duration:43200", "max_duration:5400", "hung_up_by:U0BOB",
         "leg:completed"]


def marked_sentences() -> set[str]:
    return set(marked_in([SOURCE], SOURCE.parent))


def test_every_code_and_notice_is_marked_for_the_catalog():
    assert set(reasons.SENTENCES.values()) | {reasons.IDLE_NOTICE, reasons.MAX_DURATION_NOTICE,
                                               reasons.HUNG_UP_BY_NOTICE} == marked_sentences()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_has_every_reason_translated_with_the_same_placeholders(language):
    assert catalog_problems(language, reasons.DOMAIN, marked_in([SOURCE], SOURCE.parent)) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_reasons_catalog_holds_no_sentence_no_code_says(language):
    assert stale_sentences(language, reasons.DOMAIN, marked_sentences()) == set()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_code_reads_in_the_language_with_no_english_left(language):
    english = {code: reasons.word(code, "en") for code in SHOWN}
    worded = {code: reasons.word(code, f"{language}-XX") for code in SHOWN}
    assert [code for code in SHOWN if worded[code] == english[code]] == []
    assert all(PLACEHOLDER.search(text) is None for text in worded.values())


@pytest.mark.parametrize(("code", "tag", "expected"), [
    ("idle:5", "en", "Phone bridge hung up: no callers for 5 min"),
    ("idle:0.5", "de-DE", "Telefonbrücke aufgelegt: seit 0,5 Min. keine Anrufenden"),
    ("max_duration:43200", "ja-JP", "電話ブリッジを切断しました：許可されている最長時間（12 時間）接続されていました"),
    ("max_duration:1800", "en", "Phone bridge hung up: it was connected for the longest allowed (30 min)"),
    # French (CLDR): a narrow no-break space between a number and its unit.
    ("max_duration:45", "fr", "Pont téléphonique raccroché : il est resté connecté aussi longtemps que permis "
                              "(45\u202fs)"),
    ("hung_up_by:U0BOB", "es", "<@U0BOB> colgó el puente telefónico"),
    ("hung_up_by", "en", "Phone bridge hung up by someone"),
    ("video.not_routed", "en", "the video session is not routed, so it cannot dial a phone line"),
    ("voice.timeout", "de", "der Sprachdienst hat nicht rechtzeitig geantwortet"),
    ("voice.timeout", "pt-BR", "the voice service did not answer in time"),  # no Portuguese catalog: English
])
def test_a_code_is_worded_with_its_value_in_the_readers_language(code, tag, expected):
    assert reasons.word(code, tag) == expected


@pytest.mark.parametrize("stored", [None, "", "the video service had a bad day", "idle:soon", "hung_up_by:<!here>",
                                    "no_such_code"])
def test_a_missing_malformed_or_unknown_code_reads_unknown_reason(stored):
    assert reasons.word(stored, "en") == "unknown reason"
    assert reasons.word(stored, "fr") == "raison inconnue"


def test_a_member_is_named_only_by_a_well_formed_id():
    assert reasons.hung_up_by("U0BOB") == "hung_up_by:U0BOB"
    assert reasons.hung_up_by("<!channel>") == "hung_up_by"
    assert reasons.leg_ended("Completed") == "leg:completed"
    assert (reasons.idle_notice(5.0), reasons.max_duration_notice(43200.0)) == ("idle:5", "max_duration:43200")


def test_an_upstream_error_carries_a_code_and_its_english_text_comes_from_it():
    error = UpstreamError("voice", "voice.timeout", transient=True)
    assert (error.code, error.reason, str(error)) == (
        "voice.timeout", "the voice service did not answer in time", "voice: the voice service did not answer in time")
    assert reasons.word(error.code, "ja") == "音声サービスが時間内に応答しませんでした"


def test_an_upstream_error_refuses_a_sentence_where_a_code_goes():
    with pytest.raises(ValueError):
        UpstreamError("voice", "the voice service could not place the call")


def test_every_platform_failure_the_gateways_raise_is_a_known_code():
    gateways = (SOURCE.parent / "voice.py").read_text() + (SOURCE.parent / "video.py").read_text()
    raised = set(re.findall(r'"((?:voice|video)\.[a-z_]+)"', gateways))
    assert raised and raised <= set(reasons.SENTENCES)
