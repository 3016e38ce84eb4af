"""Pattern signals of the job-ad scan: contacts that move the talk to a chat app, web
addresses (look-alikes of official sites, or the official sites themselves) and licence
numbers. Phone numbers are told apart from dates (12-05-2026) and amounts (Rp 4.500.000,
35,000-50,000, Khmer or Thai digits), which are not contacts."""

from __future__ import annotations

import re

# Each pattern with a character it cannot match without: texts without it skip the pattern.
CONTACT_PATTERNS = [
    re.compile(r"\b(?:t\.me|telegram\.me|wa\.me|line\.me|api\.whatsapp\.com)/[\w+/?=.-]+", re.I),
    re.compile(r"(?<![\w@.])@[a-z][a-z0-9_]{4,31}\b", re.I),  # @handle (not an e-mail address)
    re.compile(r"\b(?:line|wechat|weixin|vx|wx|telegram|whatsapp|zalo|viber|imo|tg)\s*(?:id)?\s*[:：]\s*[\w.+-]{3,}", re.I),
]
# A phone number: ASCII digits only, 8-15 of them, optionally +country code.
PHONE = re.compile(r"(?<![\w.,/+-])\+?[0-9][0-9 ().-]{6,16}[0-9](?![\w%])")
DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")
GROUPED_AMOUNT = re.compile(r"^\d{1,3}(?:[.,]\d{3})+(?:\s*[-–]\s*\d{1,3}(?:[.,]\d{3})+)?$")
RANGE = re.compile(r"^\d{1,6}\s*[-–]\s*\d{1,6}$")
MONEY_NEAR = re.compile(r"(?:rp|rs|usd|us\$|\$|₱|php|rm|฿|thb|baht|บาท|tk|৳|₹|inr|vnd|đ|kyat|kip|riel|៛|元|万|ringgit|peso|dollar|ដុល្លារ|ดอลลาร์)\s*$", re.I)
URL_RE = re.compile(r"\b(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:/\S*)?", re.I)
FREE_MAIL = re.compile(r"[\w.+-]+@(?:gmail|yahoo|hotmail|outlook|ymail|proton(?:mail)?|qq|163|hushmail)\.[a-z.]+", re.I)


NEEDS = ("/", "@", ":：")


def contacts(text: str) -> list[str]:
    """Chat handles, chat links and phone numbers, as written; dates and amounts left out."""
    found: list[str] = []
    for pattern, needs in zip(CONTACT_PATTERNS, NEEDS):
        if any(ch in text for ch in needs):
            found.extend(m.group(0).strip() for m in pattern.finditer(text))
    for m in PHONE.finditer(text):
        number = m.group(0).strip()
        digits = sum(ch.isdigit() for ch in number)
        if digits < 8 or digits > 15 or DATE.match(number) or GROUPED_AMOUNT.match(number) or RANGE.match(number):
            continue
        if MONEY_NEAR.search(text[max(0, m.start() - 6):m.start()]):
            continue  # "Rp 4.500.000", "$ 1200 2500"
        found.append(number)
    if "@" in text:
        found.extend(m.group(0) for m in FREE_MAIL.finditer(text))
    return list(dict.fromkeys(found))


def hosts(text: str) -> list[str]:
    """Web addresses named in the text, as 'dmw.gov.ph' (no www.)."""
    out = []
    for m in URL_RE.finditer(text):
        if "@" in text[max(0, m.start() - 1):m.start()]:
            continue  # the domain of an e-mail address
        out.append(m.group(1).lower().removeprefix("www."))
    return list(dict.fromkeys(out))


def official(host: str, domains: list[str]) -> str | None:
    """The official domain this host is (or is under), if any."""
    return next((d for d in domains if host == d or host.endswith("." + d)), None)


def _squash(host: str) -> str:
    return "".join(ch for ch in host if ch.isalnum())


def similar(host: str, official_domain: str) -> bool:
    """A look-alike: not the official site, but the same letters with other dots or dashes
    (dmw-gov.ph.com), or one or two letters changed (dmw.gov.pn, emigrate.gov.in.co)."""
    if host == official_domain or host.endswith("." + official_domain):
        return False
    a, b = _squash(host), _squash(official_domain)
    if len(b) >= 6 and b in a:
        return True
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))  # Levenshtein distance, small strings only
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= 2
