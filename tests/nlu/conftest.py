"""The trained understanding models, shared by every test of the session.

Models are cached under pytest's cache folder by the fingerprint of the training
examples, so they are trained once per machine (and once per CI run).
"""

from __future__ import annotations

import pytest

from nlu.understand import Understanding


@pytest.fixture(scope="session")
def understanding(request: pytest.FixtureRequest) -> Understanding:
    return Understanding.load_or_train(request.config.cache.mkdir("nlu-models"))
