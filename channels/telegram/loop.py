"""One asyncio event loop in a background thread, for calling an async SDK from sync code.

python-telegram-bot is async only, and its HTTP client (an ``httpx.AsyncClient``) keeps a
pool of connections bound to the event loop that opened them. ``asyncio.run()`` per call
would make a new loop each time and leave the pool holding connections of a closed loop
("Event loop is closed" on the next call). So the adapter owns one long-lived loop in a
daemon thread; any number of threads submit coroutines to it and wait for the result.
The thread starts at the first call, so constructing an adapter (or importing it before a
server forks) starts nothing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopClosedError(RuntimeError):
    """The loop was closed; nothing more can run on it."""


class EventLoopThread:
    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def run(self, coroutine: Coroutine[Any, Any, T], *, timeout: float) -> T:
        """Runs the coroutine on the loop and waits for it; safe from any thread but the loop's.

        Raises:
            TimeoutError: it took longer than ``timeout`` seconds (it is then cancelled).
            LoopClosedError: after ``close()``.
        """
        try:
            loop = self._running_loop()
        except BaseException:
            coroutine.close()  # never scheduled: no "was never awaited" warning
            raise
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("EventLoopThread.run() called from its own loop: it would wait forever")
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def close(self, final: Coroutine[Any, Any, object] | None = None, *, timeout: float = 10.0) -> None:
        """Runs ``final`` (a clean-up such as closing HTTP clients) if the loop ever started,
        then stops the loop and joins its thread. Idempotent."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._closed = True
            self._loop = self._thread = None
        if loop is None or thread is None:
            if final is not None:
                final.close()
            return
        try:
            if final is not None:
                asyncio.run_coroutine_threadsafe(final, loop).result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise LoopClosedError(f"{self._name} is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=_serve, args=(loop,), name=self._name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        # Anything still pending (a send whose caller timed out) is cancelled, not leaked.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
