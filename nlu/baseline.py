"""The simple baseline the classifier is measured against: category names and keywords.

A message gets the category whose name or keywords (from the catalog, in English)
appear in it most; "other" when none does.
"""

from __future__ import annotations

import re

from case_store.catalog import Catalog
from nlu.text import fold


class KeywordBaseline:
    def __init__(self, catalog: Catalog) -> None:
        self._terms = {
            service.code: [fold(term) for term in (service.name, *service.keywords)] for service in catalog.services
        }

    def predict(self, text: str) -> str:
        folded = fold(text)
        scores = {
            code: sum(1 for term in terms if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", folded))
            for code, terms in self._terms.items()
        }
        code, score = max(scores.items(), key=lambda item: item[1])
        return code if score else "other"
