"""Languages: negotiation, the picker, every screen in every locale in the right script,
placeholders kept, and Burmese typed in Zawgyi."""

import re
import string

import pytest

from bot.engine.testing import ChatClient
from bot.i18n import SUPPORTED, negotiate, translator
from bot.safety.normalize import compact, is_zawgyi, normalize, to_unicode_burmese

SCRIPTS = {"th": "\u0e00-\u0e7f", "my": "\u1000-\u109f", "km": "\u1780-\u17ff", "lo": "\u0e80-\u0eff",
           "ne": "\u0900-\u097f", "hi": "\u0900-\u097f", "bn": "\u0980-\u09ff", "si": "\u0d80-\u0dff",
           "zh_Hans": "\u4e00-\u9fff"}


@pytest.mark.parametrize("tag,expected", [
    ("th-TH", "th"), ("th", "th"), ("zh-hans", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh", "zh_Hans"),
    ("fil", "fil"), ("tl", "fil"), ("my-MM", "my"), ("my", "my"), ("km-KH", "km"), ("lo", "lo"),
    ("vi-VN", "vi"), ("id", "id"), ("ne-NP", "ne"), ("bn-BD", "bn"), ("si", "si"), ("hi-IN", "hi"),
    ("en-US", "en"), ("en", "en"), ("de", None), ("xx", None), ("", None), (None, None), ("!!", None)])
def test_negotiation(tag, expected):
    assert negotiate(tag) == expected


def test_unknown_language_gets_english_and_the_picker(engine):
    chat = ChatClient(engine, user_id="tg:de", lang_hint="de")
    chat.send("/start")
    assert chat.screen == "ask_language"
    labels = chat.labels
    for own_script in ("မြန်မာ", "ខ្មែរ", "ລາວ", "नेपाली", "ไทย", "বাংলা", "සිංහල", "हिन्दी", "Tiếng Việt"):
        assert own_script in labels


def test_picker_switches_the_next_screens_language(engine):
    chat = ChatClient(engine, user_id="tg:switch", lang_hint="en")
    chat.onboard()
    chat.send("/language")
    chat.press("ไทย")
    chat.send("/menu")
    assert re.search("[\u0e00-\u0e7f]", chat.text)
    chat.send("/language")
    chat.press("English")
    chat.send("/menu")
    assert chat.text.startswith("Main menu")


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "en"])
def test_every_screen_renders_in_every_locale(engine, bundle, lang):
    chat = ChatClient(engine, user_id=f"tg:render-{lang}", lang_hint=lang)
    chat.send("/start")
    chat.press_data("c:role:family")
    chat.press_data("c:origin:MM")
    chat.press_data("c:destination:TH")
    script = SCRIPTS.get(lang)
    for screen_id in bundle.screens:
        chat.press_data(f"g:{screen_id}")
        assert chat.screen == screen_id
        shown = chat.shown
        leftover = {name for _, name, _, _ in string.Formatter().parse(shown.replace("{{", "").replace("}}", "")) if name}
        assert not leftover, f"{lang}/{screen_id}: unfilled {leftover}"
        if script and screen_id != "ask_language":  # the picker shows every language's own name
            own = len(re.findall(f"[{script}]", shown))
            latin = len(re.findall("[A-Za-z]", shown))
            assert own > latin, f"{lang}/{screen_id}: mostly not in its script:\n{shown[:300]}"


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "en"])
def test_translations_are_really_translated(bundle, lang):
    t = translator(lang)
    untranslated = [s.id for s in bundle.screens.values() if len(s.text) > 40 and t(s.text) == s.text]
    assert not untranslated, f"{lang}: screens still in English: {untranslated[:5]}"


def test_money_dates_and_names_come_from_cldr():
    th, zh = translator("th"), translator("zh_Hans")
    assert th.money(500, "THB") == "฿500"
    assert th.country("MM") == "เมียนมา (พม่า)"
    assert zh.date("2025-09-30") == "2025年9月30日"
    assert translator("my").language_name("my") == "မြန်မာ"


ZAWGYI = "ကၽြန္ေတာ္ကို ကယ္ပါ"       # "save me", typed in Zawgyi
UNICODE = "ကျွန်တော်ကို ကယ်ပါ"


def test_zawgyi_is_detected_and_converted():
    assert is_zawgyi(ZAWGYI)
    assert to_unicode_burmese(ZAWGYI) == UNICODE
    assert not is_zawgyi(UNICODE)
    assert to_unicode_burmese(UNICODE) == UNICODE  # Unicode Burmese is left alone
    assert compact(ZAWGYI) == compact(UNICODE)


def test_normalisation_for_matching():
    assert normalize("ＨＥＬＰ\u200b me") == "help me"  # full-width, zero-width, case
    assert compact("ช่วย ด้วย!!") == compact("ช่วยด้วย")  # Thai without spaces
    assert compact("त्रुटि") == "त्रुटि"  # vowel signs are kept


def test_every_catalog_compiles_and_loads(tmp_path):
    """A broken or uncompilable catalog fails here (the bot compiles .mo at start-up)."""
    import shutil

    from babel.support import Translations

    from bot import LOCALES_DIR
    from bot.i18n import compile_catalogs

    copy = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    assert compile_catalogs(copy) == []
    for lang in SUPPORTED:
        if lang != "en":
            catalog = Translations.load(str(copy), [lang], domain="bot")
            assert isinstance(catalog, Translations) and catalog._catalog, lang


def test_plural_forms_follow_each_languages_rules():
    from bot.engine.engine import T_SCAN_RESULT

    en = translator("en")
    assert en.ngettext(*T_SCAN_RESULT, 1).endswith("warning sign:")
    assert en.ngettext(*T_SCAN_RESULT, 3).endswith("warning signs:")
    for lang in SUPPORTED:
        t = translator(lang)
        for n in (1, 2, 5):
            text = t.ngettext(*T_SCAN_RESULT, n)
            assert "{n}" in text and "{risk}" in text, (lang, n, text)


def test_pybabel_extract_uses_the_registered_yaml_extractor(tmp_path):
    """The standard pipeline: `pybabel extract -F babel.cfg` finds YAML strings through the
    entry point, with file and line as the location."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    from conftest import ROOT

    out = tmp_path / "bot.pot"
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                           "-k", "N_", "-k", "Nn_:1,2", "--no-default-keywords", "-o", str(out), "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    catalog = read_po(out.open("rb"))
    main_menu = catalog.get("Main menu. What do you want to know?\nYou can also write to me at any time. If you are in danger, tell me.")
    assert main_menu is not None and main_menu.locations[0][0] == "dialogs/main.yaml"
    assert catalog.get("Which country are you from?") is not None
    assert any(loc[0].startswith("content/facts/") for m in catalog for loc in m.locations)
    assert catalog.get("This menu has expired. Here is the main menu.") is not None  # a Python N_() string
