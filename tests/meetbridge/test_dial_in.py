"""The numbers callers may dial: their order (the workspace's country first), country, language,
formatting for their country, one-tap links, and the language a dialled number picks."""

from __future__ import annotations

import pytest

from meetbridge.dial_in import DialIn
from meetbridge.settings import load_settings

US = "15550100000"
GB = "442071234567"
DE = "4930901820"
FR = "33142685300"
MORE = ((GB, "en-GB"), (DE, "de-DE"), (FR, "fr-FR"))


def test_the_conference_number_comes_first_and_the_rest_in_the_configured_order():
    dial_in = DialIn(US, MORE, default_country="", default_locale="en")
    assert [number.digits for number in dial_in.numbers] == [US, GB, DE, FR]
    assert [number.country for number in dial_in.numbers] == ["US", "GB", "DE", "FR"]


def test_the_workspaces_country_comes_first_whatever_the_configured_order():
    dial_in = DialIn(US, MORE + (("4989123456", "de-DE"),), default_country="de", default_locale="en")
    assert [number.digits for number in dial_in.numbers] == [DE, "4989123456", US, GB, FR]
    assert [number.digits for number in dial_in.on_card()] == [DE, "4989123456", US]


def test_the_card_gets_three_numbers_and_only_one_when_there_is_one():
    assert len(DialIn(US, MORE, "", "en").on_card()) == 3
    alone = DialIn(US, (), "", "en")
    assert [number.digits for number in alone.on_card()] == [US]
    assert not alone.more_than_one and DialIn(US, MORE, "", "en").more_than_one


def test_each_number_is_formatted_for_its_country_with_a_one_tap_link():
    german = DialIn(US, MORE, "", "en").numbers[2]
    assert (german.international, german.national) == ("+49 30 901820", "030 901820")
    assert german.one_tap("123456789") == "tel:+4930901820,,123456789%23"
    assert german.flag == "🇩🇪"
    assert (german.country_name("en"), german.country_name("de"), german.country_name("ja")) == \
        ("Germany", "Deutschland", "ドイツ")


def test_a_number_of_no_country_keeps_its_digits_and_has_no_flag():
    dial_in = DialIn(US, (("80012345678", "en-GB"),), "", "en")
    freephone = dial_in.numbers[1]
    assert (freephone.country, freephone.flag, freephone.country_name()) == (None, "", "")
    assert freephone.international == "+800 1234 5678"


@pytest.mark.parametrize(("dialled", "language"), [
    (DE, "de-DE"), ("+" + DE, "de-DE"), (GB, "en-GB"), (FR, "fr-FR"),
    (US, "en-US"),  # the conference number, not listed with a language: the default
    ("447700900123", "en-US"),  # not one of ours
    (None, "en-US"), ("", "en-US"), (12345, "en-US"),
])
def test_the_number_dialled_picks_the_language(dialled, language):
    assert DialIn(US, MORE, "", "en").language_for(dialled) == language


def test_the_default_language_follows_default_locale_and_a_listed_conference_number_keeps_its_own():
    assert DialIn(US, MORE, "", "ja").language_for("447700900123") == "ja-JP"
    assert DialIn(US, ((US, "es-US"),), "", "ja").language_for(US) == "es-US"
    assert [n.digits for n in DialIn(US, ((US, "es-US"), (DE, "de-DE")), "", "en").numbers] == [US, DE]


def test_built_from_the_settings(base_env):
    settings = load_settings(dict(base_env, DIAL_IN_NUMBERS=f"+{DE}=de-DE,+{GB}=en-GB",
                                  DEFAULT_DIAL_IN_COUNTRY="GB", DEFAULT_LOCALE="fr"))
    dial_in = DialIn.from_settings(settings)
    assert [(n.digits, n.language) for n in dial_in.numbers] == [(GB, "en-GB"), (US, "fr-FR"), (DE, "de-DE")]
