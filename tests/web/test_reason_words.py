"""The join page words a stored reason in the reader's language (Accept-Language): the failed
bridge's reason in the status JSON and in the error of the press that failed."""

from __future__ import annotations

import pytest

from tests.visitor import joined

NOT_ROUTED = {
    "en": "the video session is not routed, so it cannot dial a phone line",
    "de": "die Videositzung wird nicht geroutet und kann daher keine Telefonleitung anwählen",
    "es": "la sesión de vídeo no está enrutada, por lo que no puede marcar una línea telefónica",
    "fr": "la session vidéo n’est pas routée et ne peut donc pas appeler une ligne téléphonique",
    "ja": "ビデオセッションがルーティングされていないため、電話回線に発信できません",
}


@pytest.mark.parametrize("language", sorted(NOT_ROUTED))
def test_a_failed_bridges_reason_is_in_the_pages_language(language, start_meeting, client, fake_opentok, services):
    meeting = start_meeting()
    joined(client, meeting.id)
    fake_opentok.http_status("dial", 409)
    pressed = client.post(f"/rooms/{meeting.id}/dial-out", json={}, headers={"Accept-Language": language})
    assert pressed.status_code == 502 and NOT_ROUTED[language] in pressed.get_json()["error"]
    assert services.store.bridges.latest(meeting.id).reason == "video.not_routed"  # stored: the code
    status = client.get(f"/rooms/{meeting.id}/status", headers={"Accept-Language": f"{language};q=0.9"}).get_json()
    assert (status["bridge"], status["bridgeReason"]) == ("failed", NOT_ROUTED[language])
