"""The `satudata` command line and the workspace jobs it runs (init, demo, doctor)."""
from service.cli.commands import main

__all__ = ["main"]
