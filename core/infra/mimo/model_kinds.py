"""The MiMo models the client uses, one per kind of request (`MimoModels`), the setting that
names each, and a model MiMo refuses said with that setting (`model_named`).

The settings (MIMO_ASR_MODEL and the others) name the models, passed on by the composition root;
`MimoModels`'s own defaults serve a client built without settings (the tests, the bench). Both
read today's ids from `core.domain.mimo.default_models`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.domain.errors import MimoBadRequest, MimoModelRefused
from core.domain.mimo import default_models

__all__ = ["DEFAULT_MODELS", "MODEL_SETTINGS", "MimoModels", "model_named", "voice_kind"]


@dataclass(frozen=True)
class MimoModels:
    asr: str = default_models.ASR
    tts: str = default_models.TTS
    audio: str = default_models.AUDIO
    chat: str = default_models.CHAT
    voicedesign: str = default_models.VOICEDESIGN  # a chat's voices are designed with it
    voiceclone: str = default_models.VOICECLONE  # ...and speak with this one


DEFAULT_MODELS = MimoModels()
# The setting that names each of the models: a refused model is said with the setting to change.
MODEL_SETTINGS = {
    "asr": "MIMO_ASR_MODEL",
    "tts": "MIMO_TTS_MODEL",
    "audio": "MIMO_AUDIO_MODEL",
    "chat": "MIMO_CHAT_MODEL",
    "voicedesign": "MIMO_VOICEDESIGN_MODEL",
    "voiceclone": "MIMO_VOICECLONE_MODEL",
}


@contextmanager
def model_named(kind: str | None) -> Iterator[None]:
    """A refused model said with the setting that names it, and with the model MiMo names
    instead where it names one (a retired id); one no setting names (a chat's own choice) is an
    ordinary refused request."""
    try:
        yield
    except MimoModelRefused as exc:
        if kind is None:
            raise MimoBadRequest(exc.detail, status=exc.status) from None
        setting = exc.params["setting"] = MODEL_SETTINGS[kind]
        successor = exc.params.get("successor")
        fix = f"{successor}, the model MiMo names instead" if successor else "a model MiMo offers"
        exc.answer = exc.detail
        exc.detail = (
            f"MiMo refused {exc.params.get('model')}, the model {setting} names ({exc.detail}): "
            f"set {setting} to {fix}; voicebridge doctor checks every model"
        )
        raise


def voice_kind(kind: str | None) -> str:
    """The kind of voice a speech model speaks in: what MiMo may stream or refuse to."""
    return {"voicedesign": "designed", "voiceclone": "cloned"}.get(kind or "", "preset")
