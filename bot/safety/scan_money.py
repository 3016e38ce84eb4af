"""Salaries in a job ad, and whether one is far above what the job pays in that country.

Reads amounts with their currency, multiplier and period as ads write them ("USD 1,200 a
month", "RM 4,000–7,000", "Rs 2 lakh", "$800-1500/month", "月薪1万", Khmer or Thai digits),
tells pay from fees by the words before the amount, converts to US dollars a month with the
dated rates in content/wages.yaml, and compares with that country's typical pay (or minimum
wage). The vocabulary is content/redflags/money.yaml; the numbers are content/wages.yaml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..engine.model import Problem
from .normalize import normalize, to_simplified

DAYS_A_MONTH = 26  # a day wage counted as 26 working days
HOURS_A_MONTH = 208
WEEKS_A_MONTH = 4.33
CONTEXT_BEFORE = 40  # characters before an amount searched for pay/fee words
PERIOD_AFTER = 24
CURRENCY_BEFORE = 12  # characters before a number searched for a currency word  # characters after an amount searched for "a month", "/day"...
NUMBER_START = re.compile(r"(?<![\d.,])\d")
NUMBER = r"\d{1,3}(?:[,.\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
PERIOD_FACTORS = {"month": 1.0, "day": DAYS_A_MONTH, "hour": HOURS_A_MONTH, "week": WEEKS_A_MONTH, "year": 1 / 12}
WAGE_KEYS = {"country", "job", "kind", "amount", "currency", "per", "as_of", "source", "source_name", "checked", "note"}
RATE_KEYS = {"currency", "per_usd", "as_of", "source", "source_name", "checked", "note"}


# Every decimal digit of Unicode's Basic Multilingual Plane that is not 0-9, as 0-9.
_DIGITS = {cp: str(unicodedata.digit(chr(cp))) for cp in range(0x80, 0x10000)
           if unicodedata.category(chr(cp)) == "Nd"}


def ascii_digits(text: str) -> str:
    """Thai, Khmer, Lao, Burmese, Bengali, Devanagari... digits as 0-9 (same length)."""
    return text if text.isascii() else text.translate(_DIGITS)


@dataclass
class Amount:
    text: str  # as written in the ad (normalised)
    value: float  # in the currency, per period (the lower end of a range)
    currency: str
    period: str
    kind: str  # "pay" or "fee" (by the nearest word before it), or "" when neither

    def usd_month(self, rates: dict[str, float]) -> float | None:
        if self.currency not in rates:
            return None
        return self.value * PERIOD_FACTORS[self.period] / rates[self.currency]


@dataclass
class Wages:
    rates: dict[str, float] = field(default_factory=lambda: {"USD": 1.0})
    # (country, job) -> (kind, US dollars a month, description for the evidence)
    pay: dict[tuple[str, str], list[tuple[str, float]]] = field(default_factory=dict)
    typical_ratio: float = 2.0
    minimum_ratio: float = 3.5
    vocabulary: dict = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None
    _currency_of: dict[str, str] = field(default_factory=dict)
    _multiplier_of: dict[str, float] = field(default_factory=dict)

    def ceiling(self, country: str, jobs: list[str]) -> float | None:
        """US dollars a month above which pay is 'much higher than normal' there, or None."""
        for job in [*jobs, "any"]:
            entries = dict(self.pay.get((country, job), []))
            if "typical" in entries:
                return entries["typical"] * self.typical_ratio
            if "minimum" in entries:
                return entries["minimum"] * self.minimum_ratio
        return None

    def countries(self) -> set[str]:
        return {country for country, _ in self.pay}

    def compile(self) -> None:
        vocab = self.vocabulary
        # normalised once here, not on every scan
        pay_words = [normalize(str(w)) for w in vocab.get("salary_words") or []]
        fee_words = [normalize(str(w)) for w in vocab.get("fee_words") or []]
        self._periods = {p: [normalize(str(w)) for w in ws] for p, ws in (vocab.get("periods") or {}).items()}
        self._pay_re = re.compile("|".join(re.escape(w) for w in sorted(pay_words, key=len, reverse=True)) or "(?!)")
        self._fee_re = re.compile("|".join(re.escape(w) for w in sorted(fee_words, key=len, reverse=True)) or "(?!)")
        for code, names in (vocab.get("currencies") or {}).items():
            for name in names:
                self._currency_of[normalize(str(name))] = str(code)
        for factor, names in (vocab.get("multipliers") or {}).items():
            for name in names:
                self._multiplier_of[normalize(str(name))] = float(factor)
        cur = _alternation(self._currency_of)
        mult = _alternation(self._multiplier_of)

        def one(c: str) -> str:
            return rf"(?:(?P<{c}a>{cur})\s*)?(?P<{c}n>{NUMBER})(?:\s*(?P<{c}m>{mult})(?![a-z]))?"
        self._pattern = re.compile(
            one("a") + r"(?:\s*(?:-|–|—|~|to|đến|ถึง|至|से)\s*" + one("b") + r")?"
            + rf"(?:\s*(?P<cur>{cur})(?![a-z]))?", re.I)
        # The pattern is only tried where a number starts (or the currency word before it):
        # a long alternation tried at every character would be slow.
        self._currency_before = re.compile(rf"(?:{cur})\s*$", re.I)

    def amounts(self, text: str, lang: str | None = None) -> list[Amount]:
        """Every amount of money in the text that has a currency (or a pay word and the
        language's usual currency)."""
        if self._pattern is None:
            return []
        # Amounts need no Zawgyi or per-character folding: NFKC (full-width digits) and
        # casefold in C are enough, and much faster on a long ad.
        plain = ascii_digits(to_simplified(unicodedata.normalize("NFKC", text).casefold()))
        found: list[Amount] = []
        for m in self._matches(plain):
            currency_word = m.group("aa") or m.group("ba") or m.group("cur")
            if not currency_word and not (m.group("am") or m.group("bm")):
                continue  # a bare number: an age, a count, a date
            before = plain[max(0, m.start() - CONTEXT_BEFORE):m.start()]
            after = plain[m.end():m.end() + PERIOD_AFTER]
            kind = _kind(before, self._pay_re, self._fee_re)
            currency = self._currency_of.get(currency_word.lower()) if currency_word else None
            if currency is None:
                if kind != "pay" or not lang:
                    continue
                currency = (self.vocabulary.get("defaults") or {}).get(lang)
                if not currency or not (m.group("am") or m.group("bm")):
                    continue  # a bare number after "salary" is too often an age or a count
            value = _number(m.group("an"), m.group("am"), self._multiplier_of)
            if value is None or value <= 0:
                continue
            if m.group("bn") and not m.group("am") and m.group("bm"):
                value *= self._multiplier_of.get(m.group("bm").lower(), 1.0)  # "15-20 triệu"
            period = _period(before[-12:], after, self._periods)
            found.append(Amount(m.group(0).strip(), value, currency, period, kind))
        return found


    def _matches(self, plain: str):
        done = 0
        for number in NUMBER_START.finditer(plain):
            if number.start() < done:
                continue
            start = number.start()
            cur = self._currency_before.search(plain, max(done, start - CURRENCY_BEFORE), start)
            m = self._pattern.match(plain, cur.start() if cur else start)
            if m:
                done = m.end()
                yield m


def _alternation(words: dict[str, str | float]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _number(digits: str, multiplier: str | None, multipliers: dict[str, float]) -> float | None:
    raw = digits.replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}(?:[,. ]\d{3})+", raw) and not multiplier:
        raw = re.sub(r"[,. ]", "", raw)  # 1,200 / 4.500.000 / 1 200
    elif re.fullmatch(r"\d{1,3}(?:[,. ]\d{3})+[.,]\d{1,2}", raw):
        raw = re.sub(r"[,. ](?=\d{3})", "", raw[:-3]) + "." + raw[-2:]
    else:
        raw = raw.replace(" ", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    if multiplier:
        value *= multipliers.get(multiplier.lower(), 1.0)
    return value


def _kind(before: str, pay: re.Pattern[str], fee: re.Pattern[str]) -> str:
    """'pay' or 'fee' by which word comes last before the amount (the longer word wins a
    tie: 'ค่าแรง' (wage) over 'ค่า' (fee)); '' when neither is there."""
    def last(pattern: re.Pattern[str]) -> tuple[int, int]:
        best = (-1, 0)
        for m in pattern.finditer(before):
            best = max(best, (m.start(), m.end() - m.start()))
        return best
    pay_at, fee_at = last(pay), last(fee)
    if pay_at[0] < 0 and fee_at[0] < 0:
        return ""
    return "pay" if pay_at > fee_at else "fee"


def _period(before: str, after: str, periods: dict[str, list]) -> str:
    best, where = "month", len(after) + 1
    for period, words in periods.items():
        for w in words:
            at = after.find(w)
            if at != -1 and at < where:
                best, where = period, at
    if where > len(after):
        for period, words in periods.items():  # "月薪1万", "daily wage 500"
            if period != "month" and any(w in before for w in words):
                return period
    return best


def load_wages(content_dir: Path, problems: list[Problem]) -> Wages:
    """content/wages.yaml (numbers) and content/redflags/money.yaml (how ads write money),
    checked: every entry sourced and dated, every currency with a rate."""
    wages = Wages()
    where = "content/wages.yaml"
    path = content_dir / "wages.yaml"
    vocab_path = content_dir / "redflags" / "money.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        wages.vocabulary = yaml.safe_load(vocab_path.read_text(encoding="utf-8")) if vocab_path.exists() else {}
    except yaml.YAMLError as exc:
        problems.append(Problem("error", where, f"not valid YAML: {exc}".replace("\n", " ")))
        return wages
    doc = doc or {}
    compare = doc.get("compare") or {}
    wages.typical_ratio = float(compare.get("typical_ratio", wages.typical_ratio))
    wages.minimum_ratio = float(compare.get("minimum_ratio", wages.minimum_ratio))
    for i, item in enumerate(doc.get("rates") or []):
        if _sourced(item, RATE_KEYS, f"{where} rates[{i}]", problems) and _positive(item, "per_usd", f"{where} rates[{i}]", problems):
            wages.rates[str(item["currency"])] = float(item["per_usd"])
    for i, item in enumerate(doc.get("wages") or []):
        here = f"{where} wages[{i}]"
        if not _sourced(item, WAGE_KEYS, here, problems) or not _positive(item, "amount", here, problems):
            continue
        currency, per, kind = str(item.get("currency")), str(item.get("per", "month")), str(item.get("kind"))
        if currency not in wages.rates:
            problems.append(Problem("error", here, f"no exchange rate for {currency} in rates"))
            continue
        if per not in PERIOD_FACTORS or kind not in ("typical", "minimum"):
            problems.append(Problem("error", here, f"per must be one of {sorted(PERIOD_FACTORS)}, kind typical or minimum"))
            continue
        usd = float(item["amount"]) * PERIOD_FACTORS[per] / wages.rates[currency]
        wages.pay.setdefault((str(item["country"]), str(item.get("job", "any"))), []).append((kind, usd))
    wages.compile()
    return wages


def _sourced(item, allowed: set[str], where: str, problems: list[Problem]) -> bool:
    if not isinstance(item, dict):
        problems.append(Problem("error", where, "must be a mapping"))
        return False
    for key in set(item) - allowed:
        problems.append(Problem("error", where, f"unknown key '{key}'"))
    missing = [k for k in ("source", "source_name", "as_of", "checked") if not item.get(k)]
    if missing:
        problems.append(Problem("error", where, f"missing {', '.join(missing)} (every number needs a source)"))
        return False
    for key in ("as_of", "checked"):
        if not isinstance(item[key], date):
            problems.append(Problem("error", where, f"{key} must be a date (YYYY-MM-DD)"))
            return False
    if not str(item["source"]).startswith(("http://", "https://")):
        problems.append(Problem("error", where, "source must be a URL"))
        return False
    return True


def _positive(item: dict, key: str, where: str, problems: list[Problem]) -> bool:
    try:
        ok = float(item.get(key)) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        problems.append(Problem("error", where, f"{key} must be a positive number"))
    return ok
