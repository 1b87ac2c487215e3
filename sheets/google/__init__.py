"""The Google Sheets backend: Sheets API v4 for cells, Drive v3 for versions, changes, comments."""
from .backend import MAX_REQUEST_BYTES, TIMEOUT, GoogleBackend

__all__ = ["GoogleBackend", "MAX_REQUEST_BYTES", "TIMEOUT"]
