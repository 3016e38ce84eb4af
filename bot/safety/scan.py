"""Paste-the-offer scam analysis: red flags found in a job ad, each with the words that
raised it, and the signs that make a notice look legitimate (which lower the score).

Everything it knows is data in content/redflags/ and content/wages.yaml:
- `flags.yaml`: each red flag (weight, plain explanation); `<lang>.yaml`: phrases per flag
  and words that negate a fee ("no placement fee"); `hubs.yaml`: scam-compound places;
- `countries.yaml` and `jobs.yaml`: destinations and job names; a lure job in a lure
  country, or a route through a third country, raises `scam_route`;
- `money.yaml` + `wages.yaml`: salaries read with currency and period and compared with
  what the job pays there (`pay_too_high`);
- `domains.yaml` (official sites: look-alikes raise a flag, the real ones are a good sign)
  and `legit.yaml` (licence numbers, official programmes with their channel, payments to a
  private account, ads that speak as an official body).
Phrases are matched word by word with stems and gaps (scan_match), so real wording need
not be exact; phrases in scripts written without spaces are also matched in the text
without spaces (one trie), which an ad in Latin letters skips.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..engine.model import Problem
from .distress import is_latin, too_short
from .language import detect
from .normalize import compact, compact_map, phrase_pattern
from .scan_checks import impersonation_check, keys, legit_check, pay_check, route_check
from .scan_match import PhraseIndex, in_original, quote, sentences, tokens
from .scan_money import Wages, load_wages
from .scan_signals import contacts, hosts, official, similar

REDFLAG_KEYS = {"language", "flags", "not", "negators"}
DATA_FILES = {"flags", "hubs", "domains", "countries", "jobs", "legit", "money"}
EVIDENCE_CHARS = 80
NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\s\W\d]")  # a letter of another script
DECISIVE_PHRASES = 3
DETECT_CHARS = 400  # an ad's language shows in its first lines; Lingua on all of it is slow
NEGATION_CHARS = 10  # a negator this close before a phrase in spaceless text cancels it


@dataclass
class Flag:
    id: str
    weight: int
    why: str  # English source text (gettext msgid) explaining the red flag
    question: str | None = None  # yes/no question for the guided check (gettext msgid)
    negatable: bool = False  # "no placement fee" is not a fee


LEGIT_PREFIX = "legit_"  # flags with this prefix are good signs (negative weight)


@dataclass
class Legit:
    licences: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)


@dataclass
class RedFlags:
    flags: dict[str, Flag] = field(default_factory=dict)
    phrases: list[tuple[str, str, str]] = field(default_factory=list)  # (compact phrase, flag id, lang)
    # phrases that contain a red-flag phrase but mean the opposite ("no placement fee")
    neutral: set[str] = field(default_factory=set)
    negators: set[str] = field(default_factory=set)  # compact, for spaceless scripts
    hubs: list[str] = field(default_factory=list)  # compact place names
    official_domains: list[str] = field(default_factory=list)
    thresholds: dict[str, int] = field(default_factory=lambda: {"high": 6, "medium": 3})
    words: PhraseIndex = field(default_factory=PhraseIndex)  # phrases, countries, jobs, legit words
    countries: dict[str, dict] = field(default_factory=dict)  # code -> {lure, rich, home}
    jobs: dict[str, dict] = field(default_factory=dict)  # id -> {lure}
    wages: Wages = field(default_factory=Wages)
    legit: Legit = field(default_factory=Legit)
    _joined: re.Pattern[str] | None = None

    def compile(self) -> None:
        # Scripts written without spaces are matched in the text without spaces, in one trie:
        # at each place the longest phrase wins, so "ไม่มีค่าหัว" is read as a whole (and
        # ignored) before a shorter phrase inside it could be. Latin-letter phrases and
        # place names are matched word by word (self.words) instead: an ad in Latin letters
        # skips the trie.
        items = {p for p, _, _ in self.phrases} | set(self.hubs) | self.neutral
        self._joined = phrase_pattern({p for p in items if not is_latin(p)})
        self._by_phrase: dict[str, tuple[str, str]] = {}
        for phrase, flag, lang in self.phrases:
            self._by_phrase.setdefault(phrase, (flag, lang))
        for hub in self.hubs:
            self._by_phrase.setdefault(hub, ("scam_hub", ""))
        for phrase in self.neutral:
            self._by_phrase[phrase] = ("", "")


@dataclass
class Finding:
    id: str
    evidence: str


@dataclass
class ScanResult:
    risk: str
    score: int
    language: str
    flags: list[Finding]  # red flags (the JSON contract's "flags")
    signals: list[Finding] = field(default_factory=list)  # legitimacy signs (legit_*), text output only

    def as_json(self) -> dict:
        return {"risk": self.risk, "score": self.score, "language": self.language,
                "flags": [{"id": f.id, "evidence": f.evidence} for f in self.flags]}


def registrable(host: str) -> str:
    """'www.dmw.gov.ph' -> 'dmw.gov.ph' (enough for look-alike checks on our list)."""
    return host.lower().removeprefix("www.")


def _evidence(prepared: str, start: int, end: int) -> str:
    """The words of the ad around a match (start/end index the prepared text)."""
    while start > 0 and not prepared[start - 1].isspace() and end - start < EVIDENCE_CHARS:
        start -= 1
    while end < len(prepared) and not prepared[end].isspace() and end - start < EVIDENCE_CHARS:
        end += 1
    return prepared[start:end].strip(" ,.;:!?()[]\"'")


class _Collector:
    """Findings by id, first evidence kept, later evidence appended (short)."""

    def __init__(self) -> None:
        self.items: dict[str, Finding] = {}

    def add(self, flag_id: str, evidence: str) -> None:
        seen = self.items.get(flag_id)
        if seen is None:
            self.items[flag_id] = Finding(flag_id, evidence[:EVIDENCE_CHARS * 2])
        elif evidence and len(seen.evidence) < EVIDENCE_CHARS and not any(
                evidence.casefold() in part or part in evidence.casefold()
                for part in seen.evidence.casefold().split(", ")):
            seen.evidence += f", {evidence}"

    def full(self, flag_id: str) -> bool:
        """Two quotes (or a long one) are enough to show why."""
        seen = self.items.get(flag_id)
        return seen is not None and (len(seen.evidence) >= EVIDENCE_CHARS or ", " in seen.evidence)

    def __contains__(self, flag_id: str) -> bool:
        return flag_id in self.items


def scan(text: str, redflags: RedFlags, lang_hint: str | None = None) -> ScanResult:
    red, good = _Collector(), _Collector()
    phrase_languages: Counter[str] = Counter()
    if redflags._joined is not None and NON_LATIN.search(text):
        flat, origin, prepared = compact_map(text)
        for found in redflags._joined.finditer(flat):
            phrase = found.group(0)
            start, end = origin[found.start()], origin[found.end() - 1] + 1
            flag_id, phrase_lang = redflags._by_phrase[phrase]
            flag = redflags.flags.get(flag_id)
            if flag and flag.negatable and _negated_flat(flat, found.start(), redflags.negators):
                continue
            if phrase_lang:
                phrase_languages[phrase_lang] += 1
            if flag_id:
                red.add(flag_id, _evidence(prepared, start, end))

    seen: dict[str, list[str]] = {}  # "country:KH" -> evidence...
    # Sentence by sentence: a "no" ends with its sentence ("No interview. Pay the fee.").
    for sentence in sentences(text):
        words_ = tokens(sentence)
        for hit in redflags.words.find(words_):
            kind, _, key = hit.key.partition(":")
            if kind == "flag" and hit.lang:
                phrase_languages[hit.lang] += 1
            if (red.full(key) if kind == "flag" else hit.key in seen):
                continue  # enough evidence already: quoting is the costly part
            said = in_original(text, quote(words_, hit.start, hit.end))
            if kind == "flag":
                red.add(key, said)
            else:
                seen[hit.key] = [said]

    lang = lang_hint or _language(text, phrase_languages)
    found_contacts = contacts(text)
    if found_contacts:
        red.add("contact_offplatform", ", ".join(found_contacts)[:120])

    official_hosts = []
    for host in hosts(text):
        match = official(host, redflags.official_domains)
        if match:
            official_hosts.append(host)
            continue
        for domain in redflags.official_domains:
            if similar(host, domain):
                red.add("lookalike_domain", f"{host} ≈ {domain}")

    countries = keys(seen, "country")
    home = {code for code, info in redflags.countries.items() if info.get("home") == lang}
    abroad = {code: said for code, said in countries.items() if code not in home}
    somewhere_abroad = [said for code, said in abroad.items() if redflags.countries.get(code, {}).get("abroad")]
    abroad = {code: said for code, said in abroad.items() if not redflags.countries.get(code, {}).get("abroad")}
    jobs = keys(seen, "job")
    pay_check(text, lang, abroad, jobs, redflags, red)
    route_check(abroad, jobs, redflags, red)
    chat_contact = any(not c[:1].isdigit() and not c.startswith("+") for c in found_contacts)  # not a phone number
    impersonation_check(seen, abroad, official_hosts, redflags, red, chat_contact)
    if "private" in {k.partition(":")[0] for k in seen}:
        red.add("private_payment", ", ".join(keys(seen, "private").get("", [])) or "")
    legit_check(text, seen, official_hosts, redflags, red, good, chat_contact)
    if somewhere_abroad and ("fee_before" in red or "private_payment" in red) and "rich_country_fee" not in red \
            and "legit_licence" not in good:
        red.add("fee_abroad", somewhere_abroad[0][0])

    score = sum(redflags.flags[f].weight if f in redflags.flags else 2 for f in [*red.items, *good.items])
    score = max(score, 0)
    risk = "high" if score >= redflags.thresholds["high"] else "medium" if score >= redflags.thresholds["medium"] else "low"
    return ScanResult(risk=risk, score=score, language=lang, flags=list(red.items.values()),
                      signals=list(good.items.values()))


LATIN_LANGS = {"en", "id", "fil", "vi"}


def _language(text: str, phrase_languages: Counter[str]) -> str:
    """The ad's language; a Latin-letter ad whose phrases are English is English even when a
    place name is also a romanised-Burmese marker word ("Myawaddy"). When the phrases
    found leave no doubt (DECISIVE_PHRASES of one language, none of another), Lingua is
    not asked: it is the slowest part of a scan."""
    ranked = phrase_languages.most_common(2)
    top = ranked[0][0] if ranked else None
    if top in LATIN_LANGS and ranked[0][1] >= DECISIVE_PHRASES and len(ranked) == 1 and not NON_LATIN.search(text):
        return top
    detected = detect(text[:DETECT_CHARS])
    if detected and detected not in LATIN_LANGS and top in LATIN_LANGS and not NON_LATIN.search(text):
        return top
    return detected or top or "en"


def _negated_flat(flat: str, start: int, negators: set[str]) -> bool:
    before = flat[max(0, start - NEGATION_CHARS):start]
    return any(neg in before for neg in negators)


def load_redflags(content_dir: Path, problems: list[Problem]) -> RedFlags:
    base = content_dir / "redflags"
    result = RedFlags()
    if not base.exists():
        return result

    def read(name: str):
        path = base / f"{name}.yaml"
        if not path.exists():
            return {}
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            problems.append(Problem("error", f"content/redflags/{path.name}", f"not valid YAML: {exc}".replace("\n", " ")))
            return {}

    spec = read("flags")
    for flag_id, item in (spec.get("flags") or {}).items():
        question = str(item["question"]).strip() if item.get("question") else None
        result.flags[str(flag_id)] = Flag(str(flag_id), int(item.get("weight", 2)), str(item.get("why", "")).strip(),
                                          question, bool(item.get("negatable")))
    result.thresholds.update(spec.get("thresholds") or {})
    for place in (read("hubs").get("hubs") or {}).values():
        for name in place:
            if is_latin(str(name)):
                result.words.add(str(name), "flag:scam_hub")
            elif not too_short(compact(str(name))):
                result.hubs.append(compact(str(name)))
    result.official_domains = [registrable(str(d["domain"])) for d in read("domains").get("domains") or [] if d.get("domain")]
    for path in sorted(base.glob("*.yaml")):
        if path.stem not in DATA_FILES:
            _load_language(path, read(path.stem), result, problems)
    _load_places_jobs(read("countries"), read("jobs"), result, problems)
    _load_legit(read("legit"), spec, result, problems)
    for flag_id in ("scam_hub", "scam_route", "pay_too_high", "impersonation", "private_payment", "contact_offplatform",
                    "rich_country_fee", "fee_abroad"):
        if flag_id not in result.flags:
            problems.append(Problem("error", "content/redflags/flags.yaml", f"the scan needs a '{flag_id}' flag"))
    result.wages = load_wages(content_dir, problems)
    result.compile()
    return result


def _load_language(path: Path, doc: dict, result: RedFlags, problems: list[Problem]) -> None:
    where = f"content/redflags/{path.name}"
    for key in set(doc) - REDFLAG_KEYS:
        problems.append(Problem("error", where, f"unknown key '{key}'"))
    lang = str(doc.get("language") or path.stem)
    result.neutral.update(c for c in (compact(str(p)) for p in doc.get("not") or []) if c)
    negators = [str(n) for n in doc.get("negators") or []]
    result.words.add_negators(negators)
    result.negators.update(c for c in (compact(n) for n in negators) if c and not is_latin(c))
    for flag_id, phrases in (doc.get("flags") or {}).items():
        flag = result.flags.get(str(flag_id))
        if flag is None:
            problems.append(Problem("error", where, f"unknown flag '{flag_id}' (define it in flags.yaml)"))
            continue
        for phrase in phrases or []:
            flat = compact(str(phrase))
            if too_short(flat):
                problems.append(Problem("error", where, f"phrase '{phrase}' is too short to match safely"))
                continue
            result.phrases.append((flat, flag.id, lang))
            result.words.add(str(phrase), f"flag:{flag.id}", lang, flag.negatable)


def _load_places_jobs(countries: dict, jobs: dict, result: RedFlags, problems: list[Problem]) -> None:
    for code, info in (countries.get("countries") or {}).items():
        result.countries[str(code)] = {k: info.get(k) for k in ("lure", "rich", "home", "hubs", "abroad")}
        for name in info.get("names") or []:
            result.words.add(str(name), f"country:{code}")
    for job, info in (jobs.get("jobs") or {}).items():
        result.jobs[str(job)] = {"lure": bool(info.get("lure"))}
        for name in info.get("names") or []:
            result.words.add(str(name), f"job:{job}")


def _load_legit(doc: dict, spec: dict, result: RedFlags, problems: list[Problem]) -> None:
    where = "content/redflags/legit.yaml"
    for signal in ("legit_licence", "legit_domain", "legit_programme"):
        flag = result.flags.get(signal)
        if flag is None or flag.weight >= 0:
            problems.append(Problem("error", "content/redflags/flags.yaml", f"'{signal}' needs a negative weight"))
    for country, patterns in (doc.get("licences") or {}).items():
        for raw in patterns or []:
            try:
                result.legit.licences.append((str(country), re.compile(str(raw))))
            except re.error as exc:
                problems.append(Problem("error", where, f"licence pattern for {country} is not a valid regex: {exc}"))
    for programme, info in (doc.get("programmes") or {}).items():
        for name in info.get("names") or []:
            result.words.add(str(name), f"programme:{programme}")
        for channel in info.get("channels") or []:
            result.words.add(str(channel), f"channel:{programme}")
    for phrase in doc.get("private_payment") or []:
        result.words.add(str(phrase), "private:")
    for phrase in doc.get("official_claims") or []:
        result.words.add(str(phrase), "claim:")
