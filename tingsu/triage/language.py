"""The language a complaint is written in, for skills-based assignment.

Cases have no language field, so it is read from the text: Chinese when its CJK
ideographs outweigh its English words (one ideograph counts as much as five Latin
letters), so English text with a Chinese name or address stays English; else English
if it has Latin letters, else the site's default language.
"""

from django.conf import settings

CJK_SHARE = 0.5


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def language_code(value: str) -> str:
    """ "zh-hans", "zh_CN", "ZH" -> "zh"; "en-GB" -> "en"."""
    return (value or "").strip().lower().replace("_", "-").split("-")[0]


def default_language() -> str:
    return language_code(settings.LANGUAGE_CODE) or "zh"


def detect_language(text: str) -> str:
    cjk = latin = 0
    for ch in text or "":
        if _is_cjk(ch):
            cjk += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    if cjk == 0 and latin == 0:
        return default_language()
    # A Chinese character carries about as much as a whole English word (~5 letters).
    if cjk / (cjk + latin / 5) >= CJK_SHARE:
        return "zh"
    return "en" if latin else default_language()


def speaks(languages: list[str] | None, language: str) -> bool:
    """An agent with no languages listed speaks the site's default language."""
    codes = {language_code(x) for x in (languages or [])} or {default_language()}
    return language in codes
