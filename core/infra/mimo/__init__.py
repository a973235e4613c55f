"""The MiMo client: one typed call per capability, over one POST endpoint.

answer_parsing.py  reading MiMo's answers
audio_uploads.py   request bodies carrying a recording as base64, streamed from its file; its data
                   URL, and MiMo's cap on it
circuit_breaker.py  the circuit breaker around whole calls
error_mapping.py   MiMo's error answers mapped to core.domain.errors
http_transport.py  the POST and its deadline, each attempt's use of the minute
minute_ledger.py   where the requests' uses of the minute are kept (one process's): `MinuteUse`
minute_pacing.py   the account's minute: every request's use, one queue per model, what a 429 asks
                   (what a request counts is estimated in `core.domain.mimo.token_estimates`)
minute_queue.py    a model's queue of waiting requests, and who hears how many are ahead
model_kinds.py     the model used for each kind of request, and the setting that names each
offered_models.py  which models MiMo offers: its list, and the cheapest request each model accepts
                   (`voicebridge doctor`)
request_shapes.py  what the chat and audio requests share: a system message, thinking off; the
                   speech synthesis request: messages and `audio` object, as MiMo reads them; the
                   audio understanding request, of a file or of a few seconds held inline
retry_policy.py    the one retry policy of a call
speech_client.py   the calls (recognition, synthesis, understanding, chat) and their requests
"""

from core.infra.mimo.audio_uploads import MIMO_AUDIO_CAPS
from core.infra.mimo.model_kinds import MimoModels
from core.infra.mimo.retry_policy import RetryPolicy
from core.infra.mimo.speech_client import MimoClient

__all__ = ["MIMO_AUDIO_CAPS", "MimoClient", "MimoModels", "RetryPolicy"]
