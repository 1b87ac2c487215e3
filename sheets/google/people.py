"""Who wrote a comment: Google names a post's author only by display name (PostAuthor: displayName,
me; no e-mail), so the name is looked up in the people the spreadsheet is shared with (Drive v3
``permissions.list``: displayName, emailAddress, role, deleted). The answer says how it was found,
and says so when it cannot be told: a name no one or several people share is never a person.

The list is cached per spreadsheet and read again when Drive's version of the file moved since
(a share or a rename may be among the changes) or a name is not in it, at most once per version
for the same unknown name. Drive quota, and only in cycles with people's posts to name
(DECISIONS.md #30)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..base import CellComment, PostAuthor
from .retry import GoogleError

log = logging.getLogger(__name__)

DRIVE_URL = "https://www.googleapis.com/drive/v3/files"
PERMISSION_FIELDS = "nextPageToken,permissions(id,displayName,emailAddress,type,role,deleted)"
ROLE = {"owner": "pemilik", "organizer": "pengelola", "fileOrganizer": "pengelola", "writer": "editor",
        "commenter": "pemberi komentar", "reader": "pembaca"}


@dataclass
class _Shared:
    version: str
    by_name: dict[str, list[dict[str, Any]]]
    tried: set[str] = field(default_factory=set)  # names looked up again at this version, in vain


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def authors_to_name(comments: tuple[CellComment, ...]) -> set[str]:
    """Display names of the people's posts after the poller's last reply in open threads: the
    posts a cycle may still decide on (the poller's own need no name)."""
    names = set()
    for thread in comments:
        if thread.status != "OPEN":
            continue
        posts = [(thread.author, thread.mine), *((author, mine) for author, _, mine in thread.replies)]
        last = max((i for i, (_, mine) in enumerate(posts) if mine), default=-1)
        names.update(author for author, mine in posts[last + 1:] if not mine)
    return names


def _read(backend: Any, sid: str) -> dict[str, list[dict[str, Any]]]:
    by_name: dict[str, list[dict[str, Any]]] = {}
    token = None
    for _ in range(50):  # at most 5,000 permissions
        params = {"fields": PERMISSION_FIELDS, "pageSize": "100", "supportsAllDrives": "true",
                  **({"pageToken": token} if token else {})}
        page = backend.call("drive", "GET", f"{DRIVE_URL}/{quote(sid, safe='')}/permissions",
                             f"Drive permissions.list {sid}", params=params)
        for permission in page.get("permissions", []):
            if permission.get("type") == "user" and permission.get("displayName"):
                by_name.setdefault(_key(permission["displayName"]), []).append(permission)
        token = page.get("nextPageToken")
        if not token:
            break
    return by_name


def _shared(backend: Any, sid: str, version: str, names: set[str]) -> _Shared | None:
    cache: dict[str, _Shared] = backend.__dict__.setdefault("_shared_with", {})
    known = cache.get(sid)
    unknown = {_key(n) for n in names} - (set(known.by_name) | known.tried) if known and known.version == version \
        else set()
    if known is None or known.version != version or unknown:
        try:
            fresh = _Shared(version, _read(backend, sid))
        except GoogleError as exc:  # the comments then wait: no one is named on a guess
            log.warning("daftar akses %s tidak dapat dibaca: %s", sid, exc)
            return None
        fresh.tried = {_key(n) for n in names} - set(fresh.by_name)
        cache[sid] = known = fresh
    return known


def _author(name: str, shared: _Shared | None) -> PostAuthor:
    if shared is None:
        return PostAuthor(name, (), "daftar akses spreadsheet (Google Drive) tidak dapat dibaca pada siklus ini")
    found = shared.by_name.get(_key(name), [])
    live = [p for p in found if not p.get("deleted")]
    said = f"nama tampilan '{name}'"
    if len(live) == 1:
        person = live[0]
        role = ROLE.get(person.get("role", ""), person.get("role", ""))
        return PostAuthor(name, (person.get("emailAddress", ""),),
                          f"{said} cocok dengan tepat satu akun yang diberi akses ke spreadsheet "
                          f"({person.get('emailAddress', '')}, {role})")
    if live:
        emails = tuple(p.get("emailAddress", "") for p in live)
        return PostAuthor(name, emails, f"{said} dipakai {len(live)} akun yang diberi akses ({', '.join(emails)}): "
                                        "tidak dapat dipastikan akun yang mana", ambiguous=True)
    if found:
        return PostAuthor(name, (), f"{said} hanya cocok dengan akun yang sudah dihapus "
                                    f"({', '.join(p.get('emailAddress', '') for p in found)})")
    return PostAuthor(name, (), f"{said} tidak ada di daftar akses spreadsheet (orang luar, akses lewat tautan atau "
                                "grup, nama yang berubah, atau aksesnya sudah dicabut)")


def name_authors(backend: Any, sid: str, version: str, comments: tuple[CellComment, ...]) -> dict[str, PostAuthor]:
    """Each display name of the people's undecided posts, mapped through the sharing list."""
    names = authors_to_name(comments)
    if not names:
        return {}
    shared = _shared(backend, sid, version, names)
    return {name: _author(name, shared) for name in names}
