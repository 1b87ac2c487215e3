"""Secrets never reach a page, a log line or a CLI message."""
from __future__ import annotations

import re


def mask_secrets(text: object) -> str:
    """Passwords inside URLs (user:pass@host) and password=… parameters become ***."""
    masked = re.sub(r"(://[^/\s:@]*):[^@/\s]*@", r"\1:***@", str(text))
    return re.sub(r"(?i)((?:password|passwd|pwd|secret|token)=)[^&\s;]*", r"\1***", masked)
