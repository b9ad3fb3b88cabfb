"""The hold music and the name tone: small mp3 files the project makes itself, served at stable
public URLs that Vonage can fetch and cache (no cookie, long cache lifetime, audio/mpeg)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from meetbridge.caller_names import TONE_PATH
from meetbridge.phone_waiting import HOLD_MUSIC_PATH
from web.phone_audio import AUDIO_DIR

REPO = Path(__file__).resolve().parents[2]
MAX_BYTES = 200 * 1024


def mpeg_frames(data: bytes) -> list[tuple[int, int, int]]:
    """(version id, bit rate index, sample rate index) of each MPEG audio frame header, walking
    the file frame by frame: a file that is not back-to-back MPEG-2 layer III frames fails."""
    bitrates = {1: 8, 2: 16, 3: 24, 4: 32, 5: 40, 6: 48, 7: 56, 8: 64}  # MPEG-2 layer III, kbit/s
    rates = {0: 22050, 1: 24000, 2: 16000}
    frames, at = [], 0
    while at + 4 <= len(data):
        header = int.from_bytes(data[at:at + 4], "big")
        assert header >> 21 == 0x7FF, f"no frame sync at byte {at}"
        version, layer = (header >> 19) & 3, (header >> 17) & 3
        bitrate, rate, padding = (header >> 12) & 15, (header >> 10) & 3, (header >> 9) & 1
        assert (version, layer) == (2, 1), "MPEG-2 layer III"
        frames.append((version, bitrate, rate))
        at += 72 * bitrates[bitrate] * 1000 // rates[rate] + padding
    assert at == len(data), "the last frame is cut short"
    return frames


@pytest.mark.parametrize("path", [HOLD_MUSIC_PATH, TONE_PATH])
def test_the_sounds_are_served_as_cacheable_mp3_without_a_cookie(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Cache-Control"] == "public, max-age=604800, immutable"
    assert "Set-Cookie" not in response.headers
    assert len(response.data) <= MAX_BYTES
    assert mpeg_frames(response.data)
    assert client.head(path).status_code == 200


def test_the_hold_music_is_a_ten_second_mono_loop_at_phone_quality():
    frames = mpeg_frames((AUDIO_DIR / "hold-music.mp3").read_bytes())
    assert {(bitrate, rate) for _, bitrate, rate in frames} == {(4, 2)}  # 32 kbit/s, 16 kHz
    seconds = len(frames) * 576 / 16000
    assert 9.9 <= seconds <= 10.3, seconds


def test_the_hold_music_url_is_where_the_waiting_callers_are_streamed_from(services):
    assert services.phone_waiting.music_url == services.settings.server_url + HOLD_MUSIC_PATH


@pytest.mark.skipif(importlib.util.find_spec("lameenc") is None, reason="lameenc (requirements-dev.txt)")
def test_the_committed_files_are_what_the_generator_makes(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "make_hold_music.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=60, check=True)
    assert "hold-music.mp3" in done.stdout
    for name in ("hold-music.mp3", "tone.mp3"):
        assert (tmp_path / name).read_bytes() == (AUDIO_DIR / name).read_bytes(), name
