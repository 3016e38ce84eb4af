"""Does a message look like a pasted job ad? Then it gets the scam check wherever the person is.

    looks_like_job_ad(text, signs, vocab)  -> True for "Hiring! Factory workers for Malaysia,
    salary RM1700/month, free visa. WhatsApp +60 12 345 6789" (length + pay + job + contact + country)

A question ("how much is the salary in Malaysia?") is short; a story ("my son went for a job...")
lacks the money and contact details. The signs are words in content/words/jobad.yaml; a number
with many digits counts as a contact, a number next to money words as pay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import CONTENT_DIR
from .model import Problem
from .textmatch import PhraseFinder
from .vocab import Vocab

# A job ad is longer than a question.
JOB_AD_MIN_CHARS = 120
# Kinds of sign (pay, job, contact, country) an ad has at least.
JOB_AD_MIN_SIGNS = 3
# A text shorter than this with a question mark is a question, even about pay and contacts.
QUESTION_MAX_CHARS = 250
PHONE = re.compile(r"(?:\+?\d[\d\s\-]{6,}\d)|@[A-Za-z0-9_]{4,}|t\.me/|wa\.me/|https?://")
AMOUNT = re.compile(r"\d[\d,.\s]*\d|\d")
KINDS = ("salary", "job", "contact")


@dataclass
class JobAdSigns:
    finders: dict[str, PhraseFinder]

    def signs(self, text: str, vocab: Vocab) -> set[str]:
        found = {kind for kind, finder in self.finders.items() if finder.find(text)}
        if PHONE.search(text):
            found.add("contact")
        if "salary" in found and not AMOUNT.search(text):
            found.discard("salary")  # "salary" without a number is talk about pay, not an offer
        if vocab.countries(text):
            found.add("country")
        return found


def looks_like_job_ad(text: str, signs: JobAdSigns, vocab: Vocab) -> bool:
    if len(text) < JOB_AD_MIN_CHARS:
        return False
    if len(text) < QUESTION_MAX_CHARS and "?" in text:
        return False  # a short question about pay ("is RM1700 a good salary?") is asked, not pasted
    found = signs.signs(text, vocab)
    # an ad states the pay or a number to call; a story about a job ("he went for a job in
    # Thailand, he found it on Facebook") does neither
    return len(found) >= JOB_AD_MIN_SIGNS and ("salary" in found or bool(PHONE.search(text)))


def load_job_ad_signs(content_dir: Path = CONTENT_DIR, problems: list[Problem] | None = None) -> JobAdSigns:
    problems = problems if problems is not None else []
    where = "content/words/jobad.yaml"
    try:
        doc = yaml.safe_load((content_dir / "words" / "jobad.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.append(Problem("error", where, f"cannot read: {exc}".replace("\n", " ")))
        doc = {}
    for kind in KINDS:
        if not isinstance(doc.get(kind), list):
            problems.append(Problem("error", where, f"'{kind}:' must be a list of words"))
    return JobAdSigns({kind: PhraseFinder(str(w) for w in doc.get(kind) or []) for kind in KINDS})
