"""The Excel backend: workbooks on disk, read with python-calamine, written by patching sheet XML.

openpyxl is imported only where a new workbook is built, so `new_workbook` resolves lazily.
"""
from typing import Any

from .backend import XlsxBackend, save_atomic

__all__ = ["XlsxBackend", "new_workbook", "save_atomic"]


def __getattr__(name: str) -> Any:
    if name == "new_workbook":
        from .template import new_workbook
        return new_workbook
    raise AttributeError(name)
