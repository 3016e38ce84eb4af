"""Paste-the-offer scam analysis: red flags found in a job ad, with the evidence quoted.

Everything it knows is in content/redflags/: `flags.yaml` (each red flag: id, weight,
explanation) and `<lang>.yaml` (phrases per flag in that language), `hubs.yaml` (scam-hub
place names in local spellings) and `domains.yaml` (official recruitment domains, to catch
look-alikes). Contacts (t.me, wa.me, phone numbers, Line/WeChat ids) are found by pattern.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..engine.model import Problem
from .distress import is_latin, too_short
from .normalize import compact, compact_map, phrase_pattern

# Contacts that move the talk off any platform that could check the recruiter.
CONTACT_PATTERNS = [
    re.compile(r"(?:https?://)?(?:t\.me|telegram\.me|wa\.me|line\.me|api\.whatsapp\.com)/[\w+/?=.-]+", re.I),
    re.compile(r"(?<![\w@])@[a-z][a-z0-9_]{4,31}\b", re.I),  # @handle
    re.compile(r"\b(?:line|wechat|weixin|vx|wx|telegram|whatsapp|zalo|viber|imo)\s*(?:id)?\s*[:：]\s*[\w.+-]{3,}", re.I),
    re.compile(r"(?<!\d)\+?\d[\d\s().-]{7,16}\d(?!\d)"),  # phone numbers
]
URL_RE = re.compile(r"\b(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:/\S*)?", re.I)
REDFLAG_KEYS = {"language", "flags", "not"}


@dataclass
class Flag:
    id: str
    weight: int
    why: str  # English source text (gettext msgid) explaining the red flag
    question: str | None = None  # yes/no question for the guided check (gettext msgid)


@dataclass
class RedFlags:
    flags: dict[str, Flag] = field(default_factory=dict)
    phrases: list[tuple[str, str, str]] = field(default_factory=list)  # (compact phrase, flag id, lang)
    # phrases that contain a red-flag phrase but mean the opposite ("no placement fee")
    neutral: set[str] = field(default_factory=set)
    hubs: list[str] = field(default_factory=list)  # compact place names
    official_domains: list[str] = field(default_factory=list)
    thresholds: dict[str, int] = field(default_factory=lambda: {"high": 6, "medium": 3})
    _joined: re.Pattern[str] | None = None

    def compile(self) -> None:
        # One trie for all: at each place the longest phrase wins, so "no placement fee"
        # is read as a whole (and ignored) before "placement fee" could be.
        self._joined = phrase_pattern({p for p, _, _ in self.phrases} | set(self.hubs) | self.neutral)
        self._by_phrase: dict[str, tuple[str, str]] = {}
        for phrase, flag, lang in self.phrases:
            self._by_phrase.setdefault(phrase, (flag, lang))
        for hub in self.hubs:
            self._by_phrase.setdefault(hub, ("scam_hub", ""))
        for phrase in self.neutral:
            self._by_phrase[phrase] = ("", "")
        # Latin-script phrases must match whole words ("ipm" is not in "equipment").
        self._latin = {phrase for phrase in self._by_phrase if is_latin(phrase)}


@dataclass
class Finding:
    id: str
    evidence: str


@dataclass
class ScanResult:
    risk: str
    score: int
    language: str
    flags: list[Finding]

    def as_json(self) -> dict:
        return {"risk": self.risk, "score": self.score, "language": self.language,
                "flags": [{"id": f.id, "evidence": f.evidence} for f in self.flags]}


def registrable(host: str) -> str:
    """'www.dmw.gov.ph' -> 'dmw.gov.ph' (enough for look-alike checks on our list)."""
    return host.lower().removeprefix("www.")


def _squash(host: str) -> str:
    return "".join(ch for ch in host if ch.isalnum())


def _similar(host: str, official: str) -> bool:
    """A look-alike: not the official site, but the same letters with other dots or dashes
    (dmw-gov.ph.com), or one or two letters changed (dmw.gov.pn, emigrate.gov.in.co)."""
    if host == official or host.endswith("." + official):
        return False
    a, b = _squash(host), _squash(official)
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


EVIDENCE_CHARS = 80


def _whole_words(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())


def _evidence(prepared: str, start: int, end: int) -> str:
    """The words of the ad around a match (start/end index the prepared text)."""
    while start > 0 and not prepared[start - 1].isspace() and end - start < EVIDENCE_CHARS:
        start -= 1
    while end < len(prepared) and not prepared[end].isspace() and end - start < EVIDENCE_CHARS:
        end += 1
    return prepared[start:end].strip(" ,.;:!?()[]\"'")


SCRIPTS = [(lang, re.compile(f"[{block}]")) for lang, block in (
    ("my", "\u1000-\u109f"), ("th", "\u0e00-\u0e7f"), ("lo", "\u0e80-\u0eff"), ("km", "\u1780-\u17ff"),
    ("bn", "\u0980-\u09ff"), ("si", "\u0d80-\u0dff"), ("hi", "\u0900-\u097f"), ("zh_Hans", "\u4e00-\u9fff"))]


def detect_language(text: str) -> str:
    """A script-based guess; good enough to pick the reply language of `safebot scan`."""
    counts = {lang: len(pattern.findall(text)) for lang, pattern in SCRIPTS}
    best = max(counts, key=counts.get)
    return best if counts[best] else "en"


def scan(text: str, redflags: RedFlags, lang_hint: str | None = None) -> ScanResult:
    findings: dict[str, Finding] = {}
    phrase_languages: Counter[str] = Counter()
    flat, origin, prepared = compact_map(text)
    if redflags._joined is not None:
        for found in redflags._joined.finditer(flat):
            phrase = found.group(0)
            start, end = origin[found.start()], origin[found.end() - 1] + 1
            if phrase in redflags._latin and not _whole_words(prepared, start, end):
                continue
            flag_id, phrase_lang = redflags._by_phrase[phrase]
            if phrase_lang:
                phrase_languages[phrase_lang] += 1
            if flag_id and flag_id not in findings:
                quote = _evidence(prepared, start, end)
                findings[flag_id] = Finding(flag_id, quote)
    contacts = []
    for pattern in CONTACT_PATTERNS:
        contacts.extend(m.group(0).strip() for m in pattern.finditer(text))
    if contacts:
        findings["contact_offplatform"] = Finding("contact_offplatform", ", ".join(dict.fromkeys(contacts))[:120])
    for m in URL_RE.finditer(text):
        host = registrable(m.group(1))
        if any(host == o or host.endswith("." + o) for o in redflags.official_domains):
            continue  # an official site itself (doe.go.th is not a look-alike of mol.go.th)
        for official in redflags.official_domains:
            if _similar(host, official):
                seen = findings.get("lookalike_domain")
                evidence = f"{host} ≈ {official}"
                if seen is None:
                    findings["lookalike_domain"] = Finding("lookalike_domain", evidence)
                elif evidence not in seen.evidence:
                    seen.evidence += f", {evidence}"
    score = sum(redflags.flags[f].weight if f in redflags.flags else 2 for f in findings)
    risk = "high" if score >= redflags.thresholds["high"] else "medium" if score >= redflags.thresholds["medium"] else "low"
    # The language whose phrases matched most (tells Indonesian from Filipino, Hindi from
    # Nepali); else the script.
    language = lang_hint or (phrase_languages.most_common(1)[0][0] if phrase_languages else detect_language(text))
    return ScanResult(risk=risk, score=score, language=language, flags=list(findings.values()))


def load_redflags(content_dir: Path, problems: list[Problem]) -> RedFlags:
    base = content_dir / "redflags"
    result = RedFlags()
    if not base.exists():
        return result

    def read(path: Path):
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            problems.append(Problem("error", f"content/redflags/{path.name}", f"not valid YAML: {exc}".replace("\n", " ")))
            return {}

    spec = read(base / "flags.yaml") if (base / "flags.yaml").exists() else {}
    for flag_id, item in (spec.get("flags") or {}).items():
        question = str(item["question"]).strip() if item.get("question") else None
        result.flags[str(flag_id)] = Flag(str(flag_id), int(item.get("weight", 2)), str(item.get("why", "")).strip(), question)
    result.thresholds.update(spec.get("thresholds") or {})
    hubs = read(base / "hubs.yaml") if (base / "hubs.yaml").exists() else {}
    for place in (hubs.get("hubs") or {}).values():
        result.hubs.extend(c for c in (compact(str(n)) for n in place) if not too_short(c))
    domains = read(base / "domains.yaml") if (base / "domains.yaml").exists() else {}
    result.official_domains = [registrable(str(d["domain"])) for d in domains.get("domains") or [] if d.get("domain")]
    for path in sorted(base.glob("*.yaml")):
        if path.stem in ("flags", "hubs", "domains"):
            continue
        doc = read(path)
        where = f"content/redflags/{path.name}"
        for key in set(doc) - REDFLAG_KEYS:
            problems.append(Problem("error", where, f"unknown key '{key}'"))
        lang = str(doc.get("language") or path.stem)
        result.neutral.update(c for c in (compact(str(p)) for p in doc.get("not") or []) if c)
        for flag_id, phrases in (doc.get("flags") or {}).items():
            if str(flag_id) not in result.flags:
                problems.append(Problem("error", where, f"unknown flag '{flag_id}' (define it in flags.yaml)"))
                continue
            for phrase in phrases or []:
                flat = compact(str(phrase))
                if too_short(flat):
                    problems.append(Problem("error", where, f"phrase '{phrase}' is too short to match safely"))
                    continue
                result.phrases.append((flat, str(flag_id), lang))
    if "scam_hub" not in result.flags and result.hubs:
        problems.append(Problem("error", "content/redflags/flags.yaml", "hubs.yaml needs a 'scam_hub' flag"))
    result.compile()
    return result
