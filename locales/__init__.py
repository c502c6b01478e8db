"""Every sentence the bot says, in each supported language (see messages/*.yaml)."""

from locales.catalog import Catalogs, catalogs
from locales.languages import DEFAULT_LANGUAGE, RIGHT_TO_LEFT, SUPPORTED

__all__ = ["DEFAULT_LANGUAGE", "RIGHT_TO_LEFT", "SUPPORTED", "Catalogs", "catalogs"]
