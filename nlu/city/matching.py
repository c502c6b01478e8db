"""Finding the city's street from a name as typed: exact keys first, then forgiving ones.

Order of trust: the same normalised name; the same name with another or no street type
("Main" for Main St); the name followed by stray words ("Broadway Somerville"); and
last a spelling correction with rapidfuzz ("mian st" -> Main St).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from nlu.city.names import StreetKey, street_key, tokens

# Which street a bare name means when several share it: main roads before courts.
_TYPE_RANK = {t: i for i, t in enumerate(
    ["st", "ave", "rd", "blvd", "pkwy", "hwy", "dr", "way", None, "ln", "sq", "cir", "row", "ter", "ct", "pl", "ext"]
)}  # fmt: skip
_MAX_SUGGESTIONS = 5
_LONGEST_NAME = 120  # longer text is a message, not a street name


@dataclass(frozen=True, slots=True)
class NameMatch:
    streets: tuple[int, ...]  # positions in the matcher's names, most likely first
    exact: bool  # the name as typed is the city's name (up to abbreviations and case)
    confident: bool  # safe to use without asking
    suggestions: tuple[str, ...] = ()


NO_MATCH = NameMatch((), exact=False, confident=False)


class StreetMatcher:
    def __init__(self, names: Sequence[str], lengths: Sequence[float]) -> None:
        self._names = list(names)
        self._keys = [street_key(n) for n in names]
        self._lengths = list(lengths)
        self._by_full: dict[str, list[int]] = defaultdict(list)
        self._by_base: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self._keys):
            self._by_full[key.full].append(i)
            self._by_base[key.base].append(i)
        self._bases = list(self._by_base)

    def match(self, text: str) -> NameMatch:
        words = tokens(text[:_LONGEST_NAME])
        if not words:
            return NO_MATCH
        text = " ".join(words)
        found = self._match_key(street_key(text))
        # Stray words after the name: a city ("Broadway Somerville") or a filler word.
        for drop in (1, 2):
            if found is not None or len(words) <= drop:
                break
            shorter = self._match_key(street_key(" ".join(words[:-drop])))
            if shorter is not None and shorter.confident:
                found = shorter
        return found or self._correct(street_key(text))

    def _match_key(self, query: StreetKey) -> NameMatch | None:
        exact = self._by_full.get(query.full)
        if exact:
            return NameMatch(tuple(self._ranked(exact, query)), exact=True, confident=True)
        same_base = self._by_base.get(query.base)
        if not same_base:
            return None
        ranked = self._ranked(same_base, query)
        if query.type is None and query.direction is None:
            # "Main" for Main St; sure when only one street has that name.
            names = self._suggest(ranked) if len(ranked) > 1 else ()
            return NameMatch(tuple(ranked), exact=len(ranked) == 1, confident=True, suggestions=names)
        # Another type or direction than the city's ("Central Ave" where there is Central St).
        return NameMatch(tuple(ranked), exact=False, confident=len(ranked) == 1, suggestions=self._suggest(ranked))

    def _correct(self, query: StreetKey) -> NameMatch:
        if len(query.base) < 3:
            return NO_MATCH
        digits = "".join(c for c in query.base if c.isdigit())
        scored: list[tuple[int, float, str]] = []
        for base, ratio, _ in process.extract(query.base, self._bases, scorer=fuzz.ratio, limit=8, score_cutoff=55):
            if "".join(c for c in base if c.isdigit()) != digits:
                continue  # 6th is never a typo of 5th
            scored.append((OSA.distance(query.base, base), -ratio, base))
        if not scored:
            return NO_MATCH
        scored.sort()
        distance, best_ratio, best = scored[0]
        allowed = 1 if len(query.base) <= 5 else 2 if len(query.base) <= 10 else 3
        unique = len(scored) == 1 or scored[1][0] > distance
        ranked = self._ranked(self._by_base[best], query)
        typed_type_fits = query.type is None or any(self._keys[i].type == query.type for i in ranked)
        confident = distance <= allowed and unique and typed_type_fits
        others = [i for _, _, base in scored[1:] for i in self._ranked(self._by_base[base], query)]
        suggestions = self._suggest([*ranked, *others])
        if not confident and -best_ratio < 70:
            return NameMatch((), exact=False, confident=False, suggestions=suggestions)
        return NameMatch(tuple(ranked), exact=False, confident=confident, suggestions=suggestions)

    def _ranked(self, positions: list[int], query: StreetKey) -> list[int]:
        def order(i: int) -> tuple[bool, bool, int, float]:
            key = self._keys[i]
            return (
                query.type is not None and key.type != query.type,
                key.direction != query.direction,
                _TYPE_RANK.get(key.type, len(_TYPE_RANK)),
                -self._lengths[i],
            )

        return sorted(positions, key=order)

    def _suggest(self, positions: Sequence[int]) -> tuple[str, ...]:
        names: list[str] = []
        for i in positions:
            if self._names[i] not in names:
                names.append(self._names[i])
        return tuple(names[:_MAX_SUGGESTIONS])
