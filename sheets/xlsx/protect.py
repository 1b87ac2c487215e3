"""Sheet protection with the Walidata's password: operator columns unlocked, Walidata and system
columns locked. The hash is the OOXML one (SHA-512, salt, spin count) that Excel and LibreOffice
both check when the sheet is unprotected. Protection deters; it does not secure (the file can be
edited outside a spreadsheet program)."""
from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import lru_cache

from ..base import OWNED_NOTE_PREFIX

SPIN_COUNT = 100_000
UNPROTECTED_NOTE = (f"{OWNED_NOTE_PREFIX} Lembar ini ditemukan TANPA proteksi; proteksi dipasang kembali. "
                    "Centang di kolom Walidata yang muncul selama lembar tanpa proteksi dicatat sebagai "
                    "'tanpa proteksi'.")
_PROTECTION = re.compile(rb"<sheetProtection\b[^>]*/>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
# elements that follow sheetProtection in CT_Worksheet (the first one present is where it goes)
_AFTER = (b"<protectedRanges", b"<scenarios", b"<autoFilter", b"<sortState", b"<dataConsolidate",
          b"<customSheetViews", b"<mergeCells", b"<phoneticPr", b"<conditionalFormatting", b"<dataValidations",
          b"<hyperlinks", b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<rowBreaks",
          b"<colBreaks", b"<customProperties", b"<cellWatches", b"<ignoredErrors", b"<smartTags", b"<drawing",
          b"<legacyDrawing", b"<legacyDrawingHF", b"<drawingHF", b"<picture", b"<oleObjects", b"<controls",
          b"<webPublishItems", b"<tableParts", b"<extLst", b"</worksheet>")
# what an operator may still do on a protected sheet (0 = not protected against)
_ALLOWED = b' formatColumns="0" formatRows="0" insertRows="0" deleteRows="0" sort="0" autoFilter="0"'


@lru_cache(maxsize=64)
def hash_password(password: str, salt: bytes, spin: int = SPIN_COUNT, algorithm: str = "SHA-512") -> str:
    """ECMA-376 password hash: H(salt + UTF-16LE password), then H(hash + LE uint32 i) ``spin`` times."""
    name = algorithm.replace("-", "").lower()
    digest = hashlib.new(name, salt + password.encode("utf-16-le")).digest()
    for i in range(spin):
        digest = hashlib.new(name, digest + i.to_bytes(4, "little")).digest()
    return base64.b64encode(digest).decode()


def _verifier(data: bytes, signed: bool) -> str:
    """MS-OFFCRYPTO 2.3.7.1 (Method 1) over every byte, the length folded in last. ``signed``:
    LibreOffice XORs each byte as a C ``char``, so a byte >= 0x80 also flips the high bits."""
    value = 0
    for byte in reversed(data):
        value = ((value >> 14) & 1) | ((value << 1) & 0x7FFF)
        value ^= (byte | 0xFF00) if signed and byte >= 0x80 else byte
    value = ((value >> 14) & 1) | ((value << 1) & 0x7FFF)
    return f"{(value ^ 0xCE4B ^ len(data)) & 0xFFFF:04X}"


def legacy_hashes(password: str) -> set[str]:
    """The old 16-bit verifiers (``password`` attribute) a client may have written for ``password``,
    over all its characters: LibreOffice hashes the UTF-8 bytes; Excel the ANSI (cp1252) bytes,
    or each character's low byte (the high one when the low is zero). ASCII gives one value."""
    ansi = password.encode("cp1252", "replace")
    low = bytes((ord(c) & 0xFF) or (ord(c) >> 8) & 0xFF for c in password)
    return {_verifier(password.encode("utf-8"), True), _verifier(ansi, False), _verifier(low, False)}


def legacy_hash(password: str) -> str:
    """The verifier LibreOffice writes when a person protects a sheet (Tools > Protect Sheet)."""
    return _verifier(password.encode("utf-8"), True)


def protection_state(sheet_xml: bytes, password: str | None) -> bool | None:
    """True when the sheet is protected by ``password``, False when not (or by another one);
    None without a password to compare against."""
    if password is None:
        return None
    match = _PROTECTION.search(sheet_xml)
    if match is None:
        return False
    attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(match.group(0))}
    if attrs.get("sheet", "0") not in ("1", "true"):
        return False
    if "hashValue" in attrs:
        try:
            salt = base64.b64decode(attrs.get("saltValue", ""))
            spin = int(attrs.get("spinCount", "0"))
            algorithm = attrs.get("algorithmName", "SHA-512")
            if algorithm.upper() not in ("SHA-512", "SHA-384", "SHA-256", "SHA-1") or not 0 <= spin <= 10_000_000:
                return False
            return hash_password(password, salt, spin, algorithm) == attrs["hashValue"]
        except (ValueError, TypeError):
            return False
    return attrs.get("password", "").upper() in legacy_hashes(password)


class Guard:
    """Applies and recognises the poller's protection. One salt per process, so the costly hash
    is computed once and every later check of a sheet the poller protected is a cache hit."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.salt = os.urandom(16)
        self._adopted = False

    def state(self, sheet_xml: bytes) -> bool:
        """Whether the sheet is protected by the password. The first salt that verifies is adopted
        for every later write, so a workspace converges on one salt and one hash per process."""
        protected = protection_state(sheet_xml, self.password) is True
        if protected and not self._adopted:
            match = _PROTECTION.search(sheet_xml)
            attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(match.group(0))}
            if attrs.get("algorithmName") == "SHA-512" and attrs.get("spinCount") == str(SPIN_COUNT):
                self.salt, self._adopted = base64.b64decode(attrs["saltValue"]), True
        return protected

    def protects(self, sheet_xml: bytes) -> bool:
        return self.state(sheet_xml)

    def unprotected_note(self) -> str:
        return UNPROTECTED_NOTE

    def element(self) -> bytes:
        self._adopted = True  # the salt written is the one every later write keeps
        digest = hash_password(self.password, self.salt)
        salt = base64.b64encode(self.salt).decode()
        return (b'<sheetProtection algorithmName="SHA-512" hashValue="%s" saltValue="%s" spinCount="%d" '
                b'sheet="1" objects="1" scenarios="1"%s/>' % (digest.encode(), salt.encode(), SPIN_COUNT, _ALLOWED))

    def protect(self, sheet_xml: bytes) -> bytes:
        """The sheet XML protected by the password (kept as it is when it already is)."""
        if self.protects(sheet_xml):
            return sheet_xml
        match = _PROTECTION.search(sheet_xml)
        if match is not None:
            return sheet_xml[:match.start()] + self.element() + sheet_xml[match.end():]
        after_data = sheet_xml.find(b"</sheetData>")
        after_data = after_data + len(b"</sheetData>") if after_data >= 0 else sheet_xml.find(b"<sheetData/>") + 12
        calc = re.compile(rb"<sheetCalcPr\b[^>]*/>").match(sheet_xml, after_data)
        start = calc.end() if calc else after_data
        at = min((i for i in (sheet_xml.find(tag, start) for tag in _AFTER) if i >= 0), default=len(sheet_xml))
        return sheet_xml[:at] + self.element() + sheet_xml[at:]
