"""Who may see the dashboard: HTTP basic auth against [dashboard] users (werkzeug hashes)."""
from __future__ import annotations

import hashlib
import hmac
import os
from typing import Callable

from flask import Flask, Response, g, request
from werkzeug.security import check_password_hash

REALM = 'Basic realm="Satu Data", charset="UTF-8"'


SUPERVISOR_PAGES = ("dasbor.pengawasan", "api.pengawasan", "static", "dasbor.state_css", "dasbor.favicon")


def require_login(app: Flask, users: dict[str, str], exempt: Callable[[], bool] = lambda: False,
                  roles: dict[str, str] | None = None) -> None:
    """HTTP basic auth against werkzeug password hashes, when [dashboard] users is set.

    A hash check is deliberately slow, so credentials that passed once are remembered
    (as a keyed digest, never in clear) and later requests, such as the CSS, stay fast."""
    if not users:
        return
    key = os.urandom(32)
    passed: set[bytes] = set()
    dummy = _dummy_hash(next(iter(users.values())))

    @app.before_request
    def _check() -> Response | None:
        if exempt():  # a public data page while [publikasi] terbuka = true
            return None
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            password = auth.password or ""
            token = hmac.new(key, f"{auth.username}\0{password}".encode(), hashlib.sha256).digest()
            if token in passed:
                g.pengguna = auth.username  # who is recorded as answering a complaint
                return _role_allows(roles, auth.username)
            # an unknown user costs the same hash check as a wrong password: no name is found by timing
            known = auth.username in users
            if check_password_hash(users[auth.username] if known else dummy, password) and known:
                passed.add(token)
                g.pengguna = auth.username
                return _role_allows(roles, auth.username)
        return Response("Perlu masuk: isi nama pengguna dan kata sandi dasbor.", 401,
                        {"WWW-Authenticate": REALM, "Content-Type": "text/plain; charset=utf-8"})


def _role_allows(roles: dict[str, str] | None, user: str | None) -> Response | None:
    """A supervisor (peran "pengawas") sees the supervisor's page only."""
    if (roles or {}).get(user or "") == "pengawas" and request.endpoint not in SUPERVISOR_PAGES:
        return Response("Akun pengawas hanya dapat membuka halaman /pengawasan.", 403,
                        {"Content-Type": "text/plain; charset=utf-8"})
    return None


def _dummy_hash(like: str) -> str:
    """A hash of a random password made the same way (method and cost) as a configured one."""
    from werkzeug.security import generate_password_hash
    method = like.split("$", 1)[0]
    try:
        return generate_password_hash(os.urandom(16).hex(), method=method)
    except ValueError:  # a method this werkzeug cannot make: its default is still a slow hash
        return generate_password_hash(os.urandom(16).hex())


def password_hash(password: str) -> str:
    """A hash for [dashboard] users, as the basic-auth check reads it."""
    from werkzeug.security import generate_password_hash
    return generate_password_hash(password)
