"""Vonage Voice gateway: placing outbound calls (POST /v1/calls), hanging up call legs by uuid
(PUT /v1/calls/{uuid}), reading a leg's status."""

from __future__ import annotations

import requests
from vonage import Auth, HttpClientOptions, Vonage
from vonage_http_client.errors import AuthenticationError, NotFoundError
from vonage_utils import VonageError
from vonage_voice.models import Phone

from .errors import UpstreamError

SERVICE = "voice"
REQUEST_TIMEOUT_SECONDS = 10


class VoiceGateway:
    """The Vonage Voice API as meetbridge uses it: place a call, hang up a leg, read a leg's status."""

    def __init__(self, application_id: str, private_key: str, api_host: str,
                 timeout: int = REQUEST_TIMEOUT_SECONDS) -> None:
        options = HttpClientOptions(api_host=api_host, timeout=timeout, max_retries=1)
        self.client = Vonage(Auth(application_id=application_id, private_key=private_key), options)

    def hang_up(self, uuid: str) -> bool:
        """End a call leg; False when Vonage no longer has it (already ended)."""
        try:
            self.client.voice.hangup(uuid)
        except NotFoundError:
            return False
        except AuthenticationError as error:
            raise UpstreamError(SERVICE, "the voice service refused our application credentials") from error
        except requests.Timeout as error:
            raise UpstreamError(SERVICE, "the voice service did not answer in time", transient=True) from error
        except requests.RequestException as error:
            raise UpstreamError(SERVICE, "the voice service could not be reached", transient=True) from error
        except VonageError as error:
            raise UpstreamError(SERVICE, "the voice service could not hang up the call", transient=True) from error
        return True

    def create_call(self, to: str, from_number: str, ncco_actions: list[dict], event_url: str,
                    ringing_timer: int, length_timer: int) -> str:
        """Place an outbound call (POST /v1/calls) running `ncco_actions`, with Advanced Machine
        Detection hanging up on voicemail; the new leg's uuid."""
        from vonage_voice.models import AdvancedMachineDetection, CreateCallRequest, ToPhone

        request = CreateCallRequest(
            to=[ToPhone(number=to)], from_=Phone(number=from_number.removeprefix("+")), ncco=ncco_actions,
            event_url=[event_url], event_method="POST", ringing_timer=ringing_timer, length_timer=length_timer,
            advanced_machine_detection=AdvancedMachineDetection(behavior="hangup"))
        try:
            return self.client.voice.create_call(request).uuid
        except AuthenticationError as error:
            raise UpstreamError(SERVICE, "the voice service refused our application credentials") from error
        except requests.Timeout as error:
            raise UpstreamError(SERVICE, "the voice service did not answer in time", transient=True) from error
        except requests.RequestException as error:
            raise UpstreamError(SERVICE, "the voice service could not be reached", transient=True) from error
        except VonageError as error:
            raise UpstreamError(SERVICE, "the voice service could not place the call") from error

    def call_status(self, uuid: str) -> str | None:
        """A leg's current status ('answered', 'completed', …); None when Vonage no longer knows it."""
        try:
            return self.client.voice.get_call(uuid).status
        except NotFoundError:
            return None
        except AuthenticationError as error:
            raise UpstreamError(SERVICE, "the voice service refused our application credentials") from error
        except (requests.RequestException, VonageError) as error:
            raise UpstreamError(SERVICE, "the voice service could not be reached", transient=True) from error


def check_voice_credentials(gateway: VoiceGateway) -> None:
    """One cheap authenticated call (list one call), for `cli.py check --online`."""
    from vonage_voice.models import ListCallsFilter

    try:
        gateway.client.voice.list_calls(ListCallsFilter(page_size=1))
    except AuthenticationError as error:
        raise UpstreamError(SERVICE, "the voice service refused our application credentials") from error
    except (requests.RequestException, VonageError) as error:
        raise UpstreamError(SERVICE, f"the voice service could not be reached ({type(error).__name__})") from error
