"""The MiMo client: one typed call per capability, over one POST endpoint.

client.py    the calls (recognition, synthesis, understanding, chat) and their requests
model_kinds.py  the model used for each kind of request, and the setting that names each
tts.py       the speech synthesis request: messages and `audio` object, as MiMo reads them
understanding.py  the audio understanding request, of a file or of a few seconds held inline
request_content.py  what the chat and audio requests share: a system message, thinking off
wire.py      the POST and its deadline, each attempt's use of the minute
refusals.py  MiMo's error answers mapped to core.domain.errors
retries.py   the one retry policy of a call
breaker.py   the circuit breaker around whole calls
pacing.py    the account's minute: every request's use, one queue per model, what a 429 asks
             (what a request counts is estimated in `core.domain.estimates`)
minute_queue.py  a model's queue of waiting requests, and who hears how many are ahead
minute_ledger.py  where the requests' uses of the minute are kept (one process's): `MinuteUse`
answers.py   reading MiMo's answers
upload_bodies.py  request bodies carrying a recording as base64, streamed from its file; its
             data URL, and MiMo's cap on it
offered_models.py  which models MiMo offers: its list, and the cheapest request each model
             accepts (`voicebridge doctor`)
"""

from core.infra.mimo.client import MimoClient
from core.infra.mimo.model_kinds import MimoModels
from core.infra.mimo.retries import RetryPolicy
from core.infra.mimo.upload_bodies import MIMO_AUDIO_CAPS

__all__ = ["MIMO_AUDIO_CAPS", "MimoClient", "MimoModels", "RetryPolicy"]
