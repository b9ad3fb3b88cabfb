"""Every NCCO a caller can hear, in each shipped language: the real routes are driven into every
branch with the conference number listed in DIAL_IN_NUMBERS with that language; each answer
validates against Vonage's NCCO schema, every `talk` names the number's language and a voice
style Vonage has for it, and says the catalog's sentence."""

from __future__ import annotations

import pytest

from meetbridge import ncco
from meetbridge.words import translate
from tests.vonage_calls import WebhookCall, answer_payload, new_uuid
from tests.webhooks.test_ncco_schema import SCENARIOS, VALIDATOR, Env

BRIDGE_LEG = {"bridge_leg_joins", "bridge_leg_with_a_used_dial_token", "bridge_leg_after_hang_up",
              "bridge_leg_of_a_meeting_without_a_conversation_name"}  # SIP legs: no caller, no language
CALLER_SCENARIOS = [scenario for scenario in SCENARIOS if scenario.__name__ not in BRIDGE_LEG]
LANGUAGES = ["en-GB", "de-DE", "es-ES", "fr-FR", "ja-JP"]
GERMAN_NUMBER = "4930901820"


@pytest.fixture
def extra_env(request) -> dict[str, str]:
    """The conference number speaks the parametrized language; small limits as in test_ncco_schema."""
    return {"PIN_FAILURE_BUDGET": "6", "MAX_PHONE_CALLERS": "1", "PIN_LOCKOUT_FAILURES": "3",
            "AUTO_BRIDGE": "false", "DIAL_IN_NUMBERS": f"+15550100000={request.param},+{GERMAN_NUMBER}=de-DE"}


@pytest.mark.parametrize("extra_env", LANGUAGES, indirect=True)
@pytest.mark.parametrize("scenario", CALLER_SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_every_caller_answer_in_each_language(scenario, extra_env, client, services, start_meeting, slack_user,
                                              fake_opentok, clock):
    language = extra_env["DIAL_IN_NUMBERS"].split(",")[0].split("=")[1]
    actions = scenario(Env(client, services, start_meeting(), slack_user, fake_opentok, clock))
    assert [error.message for error in VALIDATOR.iter_errors(actions)] == [], actions
    talks = [action for action in actions if action["action"] == "talk"]
    assert talks and all((t["language"], t["style"]) == (language, 0) for t in talks), talks
    assert translate(SCENARIOS[scenario], language) in [t["text"] for t in talks]


@pytest.mark.parametrize("extra_env", ["en-GB"], indirect=True)
def test_the_answered_number_not_the_conference_number_picks_the_language(extra_env, client, services):
    leg = new_uuid()
    query = {**answer_payload(leg), "to": GERMAN_NUMBER}
    prompt = WebhookCall("GET", "/voice-answer", query=query).send(client).get_json()
    assert prompt[0] == {"action": "talk", "text": translate(ncco.PROMPT, "de-DE"), "bargeIn": True,
                         "language": "de-DE", "style": 0}
    assert services.store.legs.get(leg).language == "de-DE"


@pytest.mark.parametrize("extra_env", ["en-GB"], indirect=True)
def test_a_number_that_is_not_ours_gets_the_default_language(extra_env, client, services):
    leg = new_uuid()
    query = {**answer_payload(leg), "to": "447700900999"}
    prompt = WebhookCall("GET", "/voice-answer", query=query).send(client).get_json()
    assert "language" not in prompt[0] and prompt[0]["text"] == ncco.PROMPT  # Vonage's default voice, en-US
    assert services.store.legs.get(leg).language == "en-US"
