"""The staff console: server-rendered pages where city staff read and work case threads."""

from __future__ import annotations

from staff.views import staff_blueprint

__all__ = ["staff_blueprint"]
