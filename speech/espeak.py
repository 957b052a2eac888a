"""espeak-ng, the offline synthesiser: one voice and pace per language for the whole office."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

VOICES = {"de": "de", "en": "en-gb", "tr": "tr", "ar": "ar", "uk": "uk", "ru": "ru"}
WORDS_PER_MINUTE = 140  # slower than the default 175: many listeners are elderly
ESPEAK_ENV = "TOWNHALL_ESPEAK"  # names the synthesiser; tests point it at a missing one
SPEAK_TIMEOUT_S = 5.0


class SpeechUnavailable(Exception):
    """espeak-ng is missing, failed or took too long; the display keeps its chime."""


def espeak_command(
    *, executable: str, text: str, lang: str, wav_path: str | None = None, to_stdout: bool = False
) -> list[str]:
    """The espeak-ng call for `text`: played, written to `wav_path`, or a WAV on stdout."""
    command = [executable, "-v", VOICES.get(lang, "de"), "-s", str(WORDS_PER_MINUTE)]
    if wav_path is not None:
        command += ["-w", wav_path]
    if to_stdout:
        command.append("--stdout")
    return [*command, "--", text]


def _with_sizes(wav: bytes) -> bytes:
    """espeak-ng cannot seek back on a pipe and leaves placeholder sizes; write the real ones."""
    data_at = wav.find(b"data", 12)
    if not wav.startswith(b"RIFF") or data_at < 0 or len(wav) <= data_at + 8:
        raise SpeechUnavailable("espeak-ng did not produce a WAV")
    fixed = bytearray(wav)
    struct.pack_into("<I", fixed, 4, len(wav) - 8)
    struct.pack_into("<I", fixed, data_at + 4, len(wav) - data_at - 8)
    return bytes(fixed)


def synthesise(*, text: str, lang: str) -> bytes:
    """A WAV of `text`; blocking, so callers run it in a worker thread."""
    name = os.environ.get(ESPEAK_ENV, "espeak-ng")
    executable = shutil.which(name)
    if executable is None:
        raise SpeechUnavailable(f"{name} is not installed")
    command = espeak_command(executable=executable, text=text, lang=lang, to_stdout=True)
    try:
        done = subprocess.run(command, capture_output=True, timeout=SPEAK_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SpeechUnavailable(f"{name} took longer than {SPEAK_TIMEOUT_S:g} s") from None
    except OSError as error:
        raise SpeechUnavailable(f"{name} could not run: {error}") from None
    if done.returncode != 0:
        raise SpeechUnavailable(f"{name} failed with exit code {done.returncode}")
    return _with_sizes(done.stdout)
