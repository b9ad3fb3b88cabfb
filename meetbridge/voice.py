"""Vonage Voice gateway: placing outbound calls (POST /v1/calls), hanging up, muting and unmuting
call legs (PUT /v1/calls/{uuid}), playing audio or speech into a leg, reading a leg's status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError
from vonage import Auth, HttpClientOptions, Vonage
from vonage_http_client.errors import AuthenticationError, NotFoundError
from vonage_utils import VonageError
from vonage_voice.models import AudioStreamOptions, Phone, TtsStreamOptions

from .errors import UpstreamError

SERVICE = "voice"
REQUEST_TIMEOUT_SECONDS = 10


class LegGone(Exception):
    """Vonage no longer has the call leg (it ended): nothing to act on."""


@contextmanager
def voice_errors(failed: str, failure_is_transient: bool = True) -> Iterator[None]:
    """Turn what the Vonage SDK raises into `UpstreamError` (with a reason code) or `LegGone`;
    `failed` is the code of what could not be done when Vonage itself refused."""
    try:
        yield
    except NotFoundError as error:
        raise LegGone() from error
    except AuthenticationError as error:
        raise UpstreamError(SERVICE, "voice.credentials") from error
    except requests.Timeout as error:
        raise UpstreamError(SERVICE, "voice.timeout", transient=True) from error
    except requests.RequestException as error:
        raise UpstreamError(SERVICE, "voice.unreachable", transient=True) from error
    except VonageError as error:
        raise UpstreamError(SERVICE, failed, transient=failure_is_transient) from error


def parse_signing_key_once(auth: Auth) -> None:
    """Every Voice API request carries a fresh RS256 JWT. The SDK hands PyJWT the key as PEM text,
    which PyJWT parses (and cryptography validates) on each request: about 55 ms of CPU holding
    the GIL, per request, slowing every webhook answered meanwhile. Parsed once here, the key
    object is what PyJWT signs with as it is. The SDK keeps the key in its JWT client's
    `_private_key`; if a later SDK stores it elsewhere, nothing changes but the speed."""
    jwt_client = getattr(auth, "_jwt_client", None)
    pem = getattr(jwt_client, "_private_key", None)
    if not isinstance(pem, (str, bytes)):
        return
    try:
        jwt_client._private_key = RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(pem)  # type: ignore[union-attr]
    except (ValueError, TypeError, InvalidKeyError):
        return  # the SDK's own error, at the first request, says what is wrong with the key


class VoiceGateway:
    """The Vonage Voice API as meetbridge uses it: place a call, control or end a leg, read a
    leg's status. Methods acting on a leg answer False when Vonage no longer has it."""

    def __init__(self, application_id: str, private_key: str, api_host: str,
                 timeout: int = REQUEST_TIMEOUT_SECONDS) -> None:
        options = HttpClientOptions(api_host=api_host, timeout=timeout, max_retries=1)
        auth = Auth(application_id=application_id, private_key=private_key)
        parse_signing_key_once(auth)
        self.client = Vonage(auth, options)

    def hang_up(self, uuid: str) -> bool:
        """End a call leg; False when Vonage no longer has it (already ended)."""
        try:
            with voice_errors("voice.hang_up"):
                self.client.voice.hangup(uuid)
        except LegGone:
            return False
        return True

    def set_muted(self, uuid: str, muted: bool) -> bool:
        """Mute or unmute a leg (`PUT /v1/calls/{uuid}` `mute` / `unmute`): a muted caller is
        heard by nobody but still hears the meeting."""
        try:
            with voice_errors("voice.mute" if muted else "voice.unmute"):
                (self.client.voice.mute if muted else self.client.voice.unmute)(uuid)
        except LegGone:
            return False
        return True

    def play_audio(self, uuid: str, url: str, loop: int = 0) -> bool:
        """Stream an mp3 into a leg (`PUT /v1/calls/{uuid}/stream`); loop 0 repeats it until stopped."""
        try:
            with voice_errors("voice.play_audio"):
                self.client.voice.play_audio_into_call(uuid, AudioStreamOptions(stream_url=[url], loop=loop))
        except LegGone:
            return False
        return True

    def stop_audio(self, uuid: str) -> bool:
        """Stop a stream started by `play_audio` (`DELETE /v1/calls/{uuid}/stream`)."""
        try:
            with voice_errors("voice.stop_audio"):
                self.client.voice.stop_audio_stream(uuid)
        except LegGone:
            return False
        return True

    def say(self, uuid: str, text: str, language: str | None = None) -> bool:
        """Speak a sentence into a leg (`PUT /v1/calls/{uuid}/talk`), heard by that leg."""
        try:
            with voice_errors("voice.say"):
                self.client.voice.play_tts_into_call(uuid, TtsStreamOptions(text=text, language=language))
        except LegGone:
            return False
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
            with voice_errors("voice.place_call", failure_is_transient=False):
                return self.client.voice.create_call(request).uuid
        except LegGone as gone:  # a 404 from POST /v1/calls: the API itself is not where we think
            raise UpstreamError(SERVICE, "voice.place_call") from gone

    def call_status(self, uuid: str) -> str | None:
        """A leg's current status ('answered', 'completed', …); None when Vonage no longer knows it."""
        try:
            with voice_errors("voice.unreachable"):
                return self.client.voice.get_call(uuid).status
        except LegGone:
            return None


def check_voice_credentials(gateway: VoiceGateway) -> None:
    """One cheap authenticated call (list one call), for `cli.py check --online`."""
    from vonage_voice.models import ListCallsFilter

    try:
        gateway.client.voice.list_calls(ListCallsFilter(page_size=1))
    except AuthenticationError as error:
        raise UpstreamError(SERVICE, "voice.credentials") from error
    except (requests.RequestException, VonageError) as error:
        raise UpstreamError(SERVICE, "voice.unreachable") from error
