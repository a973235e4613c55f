"""The MiMo client: one typed call per capability (`client`), over one POST endpoint with its
retry policy, deadline and circuit breaker (`wire`, `breaker`), answers read back (`answers`)."""

from core.infra.mimo.client import MimoClient, MimoModels
from core.infra.mimo.retries import RetryPolicy

__all__ = ["MimoClient", "MimoModels", "RetryPolicy"]
