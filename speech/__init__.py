"""Speaking in the office, offline: espeak-ng, the kiosk's read-aloud, the spoken calls and their WAVs.

Server and kiosk both import this package; neither reaches into the other for it.
"""

from .cache import SpeechCache
from .espeak import (
    ESPEAK_ENV,
    VOICES,
    WORDS_PER_MINUTE,
    SpeechUnavailable,
    espeak_command,
    synthesise,
)
from .sentences import call_sentence
from .speaker import Speaker

__all__ = [
    "ESPEAK_ENV",
    "VOICES",
    "WORDS_PER_MINUTE",
    "SpeechCache",
    "SpeechUnavailable",
    "Speaker",
    "call_sentence",
    "espeak_command",
    "synthesise",
]
