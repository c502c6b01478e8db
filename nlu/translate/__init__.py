"""Machine translation of free text with Argos Translate models (CTranslate2 + SentencePiece).

Typical use::

    translator = Translator(translation_dir(settings.data_dir))   # one per process
    result = translator.translate("Hay un bache enorme.", "es", "en")
    result.text, result.translated, result.via                     # original kept by the caller

Models are installed with ``intake-bot translate install FILE.argosmodel``.
"""

from nlu.translate.packages import (
    InstalledPackage,
    InstallResult,
    Limits,
    PackageError,
    PackageInfo,
    install_package,
    installed_packages,
    translation_dir,
)
from nlu.translate.sentences import Segment, split_sentences
from nlu.translate.translator import MAX_CHARS, PIVOT, CacheInfo, Translation, Translator

__all__ = [
    "MAX_CHARS",
    "PIVOT",
    "CacheInfo",
    "InstallResult",
    "InstalledPackage",
    "Limits",
    "PackageError",
    "PackageInfo",
    "Segment",
    "Translation",
    "Translator",
    "install_package",
    "installed_packages",
    "split_sentences",
    "translation_dir",
]
