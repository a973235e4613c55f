"""Where a URL carries a secret: the password of its userinfo, and query parameters such as
`password`, `sslpassword` or `passfile` (asyncpg and libpq read a database's password, or where
to find one, from either place).

A password may hold a raw `@` (`user:p@ss@host`): as Python's `urlsplit` does, the userinfo ends
at the last `@` before the host, never at the first, so no part of the password is taken for the
host (SQLAlchemy's own parser would stop at the first and log the rest as the host).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, unquote_plus, urlsplit

__all__ = ["SECRET_PARAMETER", "is_secret", "password_quoted", "url_secrets"]

# The name of a query parameter that holds a secret, or says where one is kept.
SECRET_PARAMETER = r"[\w.-]*(?:pass|secret|token|key|pwd)[\w.-]*"  # noqa: S105 - a pattern
_SECRET_NAME = re.compile(SECRET_PARAMETER, re.IGNORECASE)


def url_secrets(url: str) -> list[str]:
    """Every secret written in `url`: as written (percent-encoded or not) and decoded."""
    parts = urlsplit(url)
    written = [parts.password or ""]
    for pair in re.split("[&;]", parts.query):
        name, equals, value = pair.partition("=")
        if equals and is_secret(unquote_plus(name)):
            written.append(value)
    decoded = (spelling for w in written for spelling in (w, unquote(w), unquote_plus(w)))
    return list(dict.fromkeys(spelling for spelling in decoded if spelling))


def is_secret(parameter: str) -> bool:
    """Whether a query parameter named `parameter` holds a secret (or a secret's place)."""
    return _SECRET_NAME.fullmatch(parameter) is not None


def password_quoted(url: str) -> str:
    """`url` with its password percent-encoded, so a parser that ends the userinfo at the first
    `@` reads the same password as one that ends it at the last."""
    scheme, sep, rest = url.partition("://")
    authority_end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    userinfo, at, host = rest[:authority_end].rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not (sep and at and colon):
        return url
    quoted = quote(unquote(password), safe="")
    return f"{scheme}://{user}:{quoted}@{host}{rest[authority_end:]}"
