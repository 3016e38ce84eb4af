"""The language of a message (bot.safety.language) and word splitting (normalize.words)."""

import pytest

from bot.safety.language import detect
from bot.safety.normalize import to_simplified, words


@pytest.mark.parametrize("text,lang", [
    ("ខ្ញុំនៅប៉ោយប៉ែត គេមិនឲ្យខ្ញុំចេញទេ", "km"), ("ကယ်ပါ", "my"), ("ช่วยด้วย", "th"), ("ຊ່ວຍແດ່", "lo"),
    ("আমাকে সাহায্য করুন", "bn"), ("මට උදව් කරන්න", "si"), ("救命", "zh_Hans"), ("救救我們", "zh_Hans"),
    ("म्यानपावरले ३ लाख माग्यो, यो ठिक हो?", "ne"), ("मुझे मदद चाहिए", "hi"),
    ("kailangan ko daw magbayad ng 80k sa agency", "fil"), ("tôi bị giam giữ", "vi"),
    ("saya dikurung tolong", "id"), ("my passport was taken", "en"),
    ("bong khnhom mok dol nov poipet", "km"), ("manpower lai 3 lakh tirisakeko, ma ta faseko chu", "ne"),
    ("ok", None), ("123", None), ("🙏🙏", None), ("", None)])
def test_detect(text, lang):
    assert detect(text) == lang


def test_words_split_scripts_without_spaces_and_fold_traditional_chinese():
    assert words("ช่วยด้วย ฉันถูกขัง") == ["ช่วย", "ด้วย", "ฉัน", "ถูก", "ขัง"]
    assert "高薪" in words("緬甸妙瓦底高薪客服")
    assert words("ＨＥＬＰ me!!") == ["help", "me"]
    assert to_simplified("緬甸") == "缅甸"
