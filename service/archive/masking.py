"""Secrets never reach a page, a log line or a CLI message."""
from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

HIDDEN = "***"
_URL_PASSWORD = re.compile(r"(://[^/\s:@]*):\S*@")  # greedy to the token's last '@': '/' and '@' inside
_PARAM = re.compile(r"(?i)((?:password|passwd|pwd|secret|token)=)[^&\s;]*")


def mask_url(url: str) -> str:
    """A database URL as it may be shown: SQLAlchemy's own rendering with the password hidden
    (and password=… query parameters too). A URL SQLAlchemy cannot read is masked by pattern."""
    from sqlalchemy.engine import make_url
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any unreadable URL is still masked below
        return _mask_patterns(url)
    if parsed.password is None and not _secrets(url):
        return _mask_patterns(url)  # nothing to hide: shown exactly as configured
    if parsed.password is not None and "@" in _netloc(url).rsplit("@", 1)[0].split(":", 1)[-1]:
        # an unencoded '@' in the password: SQLAlchemy splits at the first '@', so hide up to the last
        scheme, rest = url.split("://", 1)
        user = rest.split(":", 1)[0]
        return f"{scheme}://{user}:{HIDDEN}@{_mask_patterns(rest.rsplit('@', 1)[1])}"
    return _mask_patterns(parsed.render_as_string(hide_password=True))


def _netloc(url: str) -> str:
    rest = url.split("://", 1)[-1]
    head = rest.rsplit("@", 1)
    return rest if len(head) == 1 else head[0] + "@" + head[1].split("/", 1)[0]


def _mask_patterns(text: str) -> str:
    return _PARAM.sub(rf"\1{HIDDEN}", _URL_PASSWORD.sub(rf"\1:{HIDDEN}@", text))


def mask_secrets(text: object, *urls: str | None) -> str:
    """Text with every known URL (e.g. the archive's) shown masked and its password, raw or
    URL-encoded, replaced wherever it appears; then any other user:pass@ and password=… masked."""
    out = str(text)
    for url in filter(None, urls):
        out = out.replace(url, mask_url(url))
        for secret in _secrets(url):
            out = out.replace(secret, HIDDEN)
    return _mask_patterns(out)


def _secrets(url: str) -> list[str]:
    """The password of a URL in the forms it may be quoted in (longest first, at least 3 chars)."""
    from sqlalchemy.engine import make_url
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        return []
    candidates = {parsed.password or ""}
    netloc = _netloc(url)
    if "@" in netloc and ":" in netloc.split("@", 1)[0]:
        candidates.add(netloc.rsplit("@", 1)[0].split(":", 1)[1])  # as typed, unencoded '@' included
    for key in ("password", "passwd", "pwd"):
        value = parsed.query.get(key)
        candidates.update(value if isinstance(value, tuple) else [value or ""])
    forms = {f for c in candidates if len(c) >= 3 for f in (c, quote(c, safe=""), quote_plus(c))}
    return sorted(forms, key=len, reverse=True)
