"""Languages: gettext catalogs (babel), language negotiation, and CLDR-formatted names,
dates and money in the reader's locale.

Every user-visible string is a gettext message id: YAML texts from dialogs/ and content/,
and Python strings marked with N_() so `pybabel extract` finds them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

import yaml

from . import CONTENT_DIR, LOCALES_DIR

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
# Order of the language picker.
SUPPORTED = ("en", "my", "th", "km", "lo", "vi", "id", "fil", "ne", "bn", "si", "hi", "zh_Hans")
DOMAIN = "bot"

# Telegram sends IETF tags ("th-TH", "zh-hans"); some clients send the retired "tl" for Filipino.
_LANGUAGE_ALIASES = {"tl": "fil", "zh": "zh_Hans", "bur": "my", "mya": "my"}

# Untranslated strings met at run time, per locale (shown in /metrics and logs).
missing_counter: Counter[str] = Counter()


def N_(message: str) -> str:
    """Mark a Python string for extraction; it is translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with plural forms; shown with Translator.ngettext (babel's plural rules)."""
    return singular, plural


def negotiate(code: str | None) -> str | None:
    """Map a client's language tag to one of SUPPORTED, or None if we do not speak it."""
    if not code:
        return None
    tag = code.strip().replace("-", "_")
    if not tag:
        return None
    language = tag.split("_")[0].lower()
    language = _LANGUAGE_ALIASES.get(language, language)
    if language == "zh_Hans" or language == "zh":
        return "zh_Hans"  # the only Chinese we have; Traditional readers still read it best
    try:
        parsed = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return None
    for supported in SUPPORTED:
        if Locale.parse(supported).language == parsed.language:
            return supported
    return None


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Compile each locale's .po to .mo when the .mo is missing or older. Returns errors."""
    errors = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as f:
                catalog = read_po(f, locale=po_path.parent.parent.name)
            with mo_path.open("wb") as f:
                write_mo(f, catalog)
        except Exception as exc:  # a broken catalog must not stop the other languages
            errors.append(f"{po_path}: {exc}")
            log.error("catalog_compile_failed path=%s error=%s", po_path, exc)
    return errors


@lru_cache(maxsize=None)
def _translations(lang: str) -> NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    compile_catalogs()
    loaded = Translations.load(str(LOCALES_DIR), [lang], domain=DOMAIN)
    return loaded


def reload() -> None:
    """Forget loaded catalogs (after they were edited and recompiled)."""
    _translations.cache_clear()
    _locale.cache_clear()


@lru_cache(maxsize=None)
def short_country_names(path: Path = CONTENT_DIR / "country_names.yaml") -> dict[str, dict[str, str]]:
    """{code: {lang: name}}: CLDR's short names where the standard one is long ("Hong Kong")."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:  # the long CLDR names still work
        log.error("country_names_unreadable error=%s", str(exc).replace("\n", " "))
        return {}


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


class Translator:
    """Everything one reader's language needs: text, names, dates, money."""

    def __init__(self, lang: str):
        self.lang = lang if lang in SUPPORTED else SOURCE_LANGUAGE
        self.locale = _locale(self.lang)
        self._t = _translations(self.lang)
        self._catalog = getattr(self._t, "_catalog", {})

    def gettext(self, message: str) -> str:
        if not message or self.lang == SOURCE_LANGUAGE:
            return message
        translated = self._catalog.get(message)
        if not translated:
            missing_counter[self.lang] += 1
            return message  # English for this string only
        return translated

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for n in this language (babel's CLDR plural rules, from the catalog)."""
        if self.lang != SOURCE_LANGUAGE and singular not in self._catalog and (singular, 0) not in self._catalog:
            missing_counter[self.lang] += 1
        return self._t.ngettext(singular, plural, n)

    def country(self, code: str | None) -> str:
        if not code or code == "other":
            return self.gettext(N_("Other / not sure"))
        short = short_country_names().get(code, {})
        return short.get(self.lang) or short.get(SOURCE_LANGUAGE) or self.locale.territories.get(code, code)

    def language_name(self, lang: str) -> str:
        """A language's name in its own script ("မြန်မာ"), as the picker shows it."""
        own = _locale(lang)
        name = own.get_display_name(own) or lang
        return name[:1].upper() + name[1:]

    def date(self, value: str | dt.date) -> str:
        """A fact's date (YYYY, YYYY-MM or YYYY-MM-DD) at the precision it was given."""
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        parts = text.split("-")
        if len(parts) == 1:
            return format_skeleton("y", dt.date(int(parts[0]), 1, 1), locale=self.locale)
        if len(parts) == 2:
            return format_skeleton("yMMM", dt.date(int(parts[0]), int(parts[1]), 1), locale=self.locale)
        return format_skeleton("yMMMd", dt.date.fromisoformat(text), locale=self.locale)

    def money(self, value: float, currency: str) -> str:
        # Whole amounts are shown without cents ("฿500", not "฿500.00"), in the locale's pattern.
        pattern = None
        if value == int(value):
            pattern = self.locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
        return format_currency(value, currency, format=pattern, locale=self.locale, currency_digits=pattern is None)


def translator(lang: str | None) -> Translator:
    return Translator(lang or SOURCE_LANGUAGE)
