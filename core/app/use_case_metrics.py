"""`@counted`: every call of a use case counted in its owner's metrics (`core.ports.Metrics`)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from core.ports import Capability, Metrics

__all__ = ["counted"]


class Metered(Protocol):
    metrics: Metrics


S = TypeVar("S", bound=Metered)
P = ParamSpec("P")
T = TypeVar("T")


def counted(
    capability: Capability,
) -> Callable[
    [Callable[Concatenate[S, P], Awaitable[T]]], Callable[Concatenate[S, P], Awaitable[T]]
]:
    """Count every call of the decorated use case in its owner's `metrics` (`Metrics.request`)."""

    def decorate(
        method: Callable[Concatenate[S, P], Awaitable[T]],
    ) -> Callable[Concatenate[S, P], Awaitable[T]]:
        @functools.wraps(method)
        async def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
            with self.metrics.request(capability):
                return await method(self, *args, **kwargs)

        return wrapper

    return decorate
