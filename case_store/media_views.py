"""Serves stored photos at stable public URLs: /media/<sha256>.<ext>."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_file

from case_store.media import CONTENT_TYPES, MediaStore


def media_blueprint(store: MediaStore) -> Blueprint:
    bp = Blueprint("media", __name__)

    @bp.get("/media/<filename>")
    def media_file(filename: str) -> Response:
        path = store.path_of(filename)
        if path is None:
            abort(404)
        response = send_file(path, mimetype=CONTENT_TYPES[path.suffix[1:]], max_age=365 * 24 * 3600, etag=True)
        # Content-addressed: the bytes behind a name never change.
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    return bp
