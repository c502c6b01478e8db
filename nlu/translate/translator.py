"""Machine translation of what residents and staff type (never of the bot's own sentences).

``Translator(root).translate(text, source, target)`` always answers: when no model
covers the pair, a model does not load or fails, or the text is too long, the text
comes back as written with ``translated=False``, for the staff page to show "not
translated" beside it. A conversation never waits on an exception from here.

Without a direct model the text goes through English (es->en->vi) when both halves
are installed, as Argos packages are mostly published to and from English. Models are
found when first needed and loaded once; results are kept in a bounded LRU keyed by
the text, the pair and the versions of the models used, so a replaced model (after
``reload()``) never serves its predecessor's translations.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from nlu.translate.engine import PairModel
from nlu.translate.packages import InstalledPackage, installed_packages
from nlu.translate.sentences import has_letters

log = logging.getLogger(__name__)

PIVOT = "en"
MAX_CHARS = 5_000  # longer texts are passed on untranslated rather than held up for minutes
CACHE_SIZE = 2_048

_Key = tuple[str, str, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Translation:
    text: str  # the translation, or the text as written when translated is False
    source: str
    target: str
    translated: bool  # a model produced text
    via: str | None = None  # the pivot language when no direct model exists ("en")
    # False when there was nothing to translate (same language, or no letters in the text);
    # the text is then as written, translated is False, and nothing should say "not translated".
    needed: bool = True


@dataclass(frozen=True, slots=True)
class CacheInfo:
    hits: int
    misses: int
    size: int
    max_size: int


class Translator:
    """One per process, shared by every thread; cheap to create (nothing is read until used)."""

    def __init__(
        self,
        root: Path,
        *,
        cache_size: int = CACHE_SIZE,
        max_chars: int = MAX_CHARS,
        threads: int = 1,
        pivot: str = PIVOT,
    ) -> None:
        self.root = root
        self._cache_size = cache_size
        self._max_chars = max_chars
        self._threads = threads  # CPU threads per translation: one keeps the web workers responsive
        self._pivot = pivot
        self._lock = threading.Lock()  # the cache and its counters
        self._load_lock = threading.Lock()  # scanning and loading, which are slow and rare
        self._packages: dict[tuple[str, str], InstalledPackage] | None = None
        self._models: dict[InstalledPackage, PairModel | None] = {}  # None: failed to load
        self._cache: OrderedDict[_Key, Translation] = OrderedDict()
        self._hits = 0
        self._misses = 0

    def translate(self, text: str, source: str, target: str) -> Translation:
        source, target = _code(source), _code(target)
        if source == target or not has_letters(text):
            return Translation(text, source, target, translated=False, needed=False)
        untranslated = Translation(text, source, target, translated=False)
        if len(text) > self._max_chars:
            log.info("not translating %d characters (more than %d)", len(text), self._max_chars)
            return untranslated
        route = self.route(source, target)
        if route is None:
            return untranslated
        key = (text, source, target, tuple(package.info.version for package in route))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self._hits += 1
                return cached
            self._misses += 1
        output = self._run(text, route)
        if output is None:
            return untranslated
        via = route[0].info.target if len(route) > 1 else None
        translation = Translation(output, source, target, translated=True, via=via)
        with self._lock:
            self._cache[key] = translation
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return translation

    def route(self, source: str, target: str) -> tuple[InstalledPackage, ...] | None:
        """The installed packages that take source to target, or None."""
        source, target = _code(source), _code(target)
        packages = self._installed()
        direct = packages.get((source, target))
        if direct is not None:
            return (direct,)
        first, second = packages.get((source, self._pivot)), packages.get((self._pivot, target))
        if first is not None and second is not None:
            return first, second
        return None

    def can_translate(self, source: str, target: str) -> bool:
        return _code(source) == _code(target) or self.route(source, target) is not None

    def pairs(self) -> list[tuple[str, str]]:
        """The directly installed pairs."""
        return sorted(self._installed())

    def reload(self) -> None:
        """Sees newly installed or replaced models; in-flight translations finish on the old ones."""
        with self._load_lock:
            self._packages = None
            self._models = {}
        with self._lock:
            self._cache.clear()

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._cache), self._cache_size)

    def _installed(self) -> dict[tuple[str, str], InstalledPackage]:
        packages = self._packages
        if packages is None:
            with self._load_lock:
                if self._packages is None:
                    self._packages = {package.info.pair: package for package in installed_packages(self.root)}
                packages = self._packages
        return packages

    def _run(self, text: str, route: tuple[InstalledPackage, ...]) -> str | None:
        for package in route:
            model = self._model(package)
            if model is None:
                return None
            try:
                text = model.translate(text)
            except Exception:  # a native failure must not end the conversation
                log.exception("translation %s->%s failed", package.info.source, package.info.target)
                return None
        return text

    def _model(self, package: InstalledPackage) -> PairModel | None:
        models = self._models
        if package in models:
            return models[package]
        with self._load_lock:
            models = self._models
            if package not in models:
                try:
                    models[package] = PairModel(package, self._threads)
                except Exception:  # e.g. a damaged model.bin
                    log.exception("translation model %s does not load; its pair stays untranslated", package.path)
                    models[package] = None
            return models[package]


def _code(language: str) -> str:
    return language.strip().lower()
