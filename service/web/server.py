"""The dashboard's production WSGI server (waitress), with a stop that works from any thread.

werkzeug's server is a development server; waitress is pure Python, threaded and well kept.
The wrapper keeps the small interface the CLI uses: ``server_port`` (the real one, also for
port 0), ``serve_forever()`` in a thread, ``shutdown()`` and ``server_close()`` from another.
"""
from __future__ import annotations

import errno
import gc
import logging
import socket
import threading

THREADS = 4
FULL_COLLECTION_THRESHOLD = 100  # gen-1 passes between full passes (Python's default: 10)


def freeze_startup_heap() -> None:
    """Keep what start-up made (modules, compiled templates, the place-code table) out of the
    garbage collector's full passes: they live as long as the server, and scanning them again
    on every full collection costs a request tens of milliseconds at random. Then make full
    passes ten times rarer: the reads the dashboard keeps between cycles are long-lived too, and
    with the default one request in ~30 paid 75-130 ms for a full pass (DECISIONS.md #154)."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)


class DashboardUnavailable(Exception):
    """The address cannot be listened on; the message is Indonesian and names the way out."""


def _why(exc: OSError, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return "nama host tidak dikenal"
    return {
        errno.EADDRINUSE: f"port {port} sudah dipakai program lain; pilih port lain dengan --port "
                          "atau [dashboard] port",
        errno.EACCES: f"tidak ada izin memakai port {port} (port di bawah 1024 perlu hak administrator)",
        errno.EADDRNOTAVAIL: "alamat itu tidak ada di mesin ini",
    }.get(exc.errno, exc.strerror or type(exc).__name__)


class DashboardServer:
    def __init__(self, app, host: str, port: int) -> None:
        from waitress import wasyncore
        from waitress.server import create_server
        from waitress.task import ThreadedTaskDispatcher
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load
        sockets: dict = {}
        workers = ThreadedTaskDispatcher()
        workers.set_thread_count(THREADS)
        try:
            self._server = create_server(app, map=sockets, _dispatcher=workers, host=host, port=port,
                                         threads=THREADS, ident="satudata")
        except OSError as exc:  # waitress leaves its trigger pipe and threads behind: close them now
            wasyncore.close_all(sockets)
            workers.shutdown(timeout=5)
            raise DashboardUnavailable(f"Dasbor tidak dapat dibuka di {host}:{port}: {_why(exc, port)}") from None
        self.server_port = int(self._server.effective_port)
        self._stopped = threading.Event()
        self._running = False

    def serve_forever(self) -> None:
        self._running = True
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def shutdown(self, timeout: float = 10) -> None:
        """Close the listening socket and every connection inside the server's own loop, then
        let the worker threads finish the requests they hold."""
        from waitress import wasyncore

        def close_all() -> None:
            wasyncore.close_all(self._server._map)

        if not self._running:
            close_all()
        elif not self._stopped.is_set():
            self._server.trigger.pull_trigger(close_all)
            self._stopped.wait(timeout)
        self._server.task_dispatcher.shutdown(timeout=timeout)

    def server_close(self) -> None:
        if not self._stopped.is_set():
            self.shutdown()
