"""Gunicorn settings read by the Procfile's web process (gunicorn loads this file by default)."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    # The app's long-lived objects (models, metadata, catalog) never become garbage;
    # moving them out of the collector's view keeps full collections short, which
    # shows in the tail latency of large Open311 pages.
    gc.freeze()
