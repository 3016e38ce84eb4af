"""Phone numbers in facts: from where each one can be dialled, and how to write it for a caller.

A fact's phone numbers are placeholders in its text (`{police}`), like amounts. Each says
from where it works: `inside` its country only (short codes, toll-free lines), or
`anywhere` (a full number: from abroad it is shown in its international form +CC ...).
An `abroad:` form, when the source gives one, replaces an inside-only number for callers
elsewhere. libphonenumber (phonenumbers) parses, validates and formats full numbers and
knows many short codes; sourced national hotlines it does not know are kept, inside only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, shortnumberinfo

from .model import Problem

INSIDE, ANYWHERE = "inside", "anywhere"
WORKS = (INSIDE, ANYWHERE)
PHONE_KEYS = {"number", "works", "abroad", "country"}
# Who a country's fact is for: people who are in that country now, the country's own
# citizens wherever they are, or both. Default per topic when a fact does not say.
HERE, CITIZENS, BOTH = "here", "citizens", "both"
SERVES = (HERE, CITIZENS, BOTH)
DEFAULT_SERVES = {"emergency": HERE, "consular": CITIZENS}  # hotline, agency_check: must say
# Number types that usually cannot be called from another country.
NOT_FROM_ABROAD = {phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.SHARED_COST,
                   phonenumbers.PhoneNumberType.UAN, phonenumbers.PhoneNumberType.PREMIUM_RATE}
PHONE_TOPICS = ("emergency", "hotline", "consular", "agency_check")
# A run of 3+ digits, possibly with + ( ) - or single spaces inside: how phone numbers look
# (not a clock time such as 9:00-17:00).
PHONE_LIKE = re.compile(r"(?<![\d:])\+?\(?\d[\d()\-]*(?: \d[\d()\-]*)*(?!\d)")
# What comes before a year ("in 2021", "1 October 2024", "(2024)"), so it is not taken for a number.
YEAR_BEFORE = re.compile(r"(?:\b(?:in|since|from|of|until|by|year|January|February|March|April|May|June|July|"
                         r"August|September|October|November|December)\s+|\()$", re.IGNORECASE)


@dataclass(frozen=True)
class Phone:
    number: str  # as the source writes it; a full number may be national or +CC
    works: str  # INSIDE or ANYWHERE
    abroad: str | None = None  # international form for callers outside, when number is inside-only
    country: str | None = None  # when the number is not of the fact's country (a UAE line in an Indian fact)


def full_number(text: str, country: str) -> phonenumbers.PhoneNumber | None:
    """The number if libphonenumber knows it as a valid full number of `country`."""
    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number_for_region(parsed, country) else None


def known_short_code(text: str, country: str) -> bool:
    """libphonenumber's per-region short-number and emergency data know this code."""
    digits = re.sub(r"\D", "", text)
    try:
        parsed = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException:
        return False
    return shortnumberinfo.is_valid_short_number_for_region(parsed, country) or \
        shortnumberinfo.is_emergency_number(digits, country)


def _format(text: str, country: str, style: int) -> str:
    parsed = full_number(text, country)
    return phonenumbers.format_number(parsed, style) if parsed else text


def local_form(text: str, country: str) -> str:
    """Inside its country: as written, unless written in international form (+CC ...)."""
    return _format(text, country, PhoneNumberFormat.NATIONAL) if text.startswith("+") else text


def international_form(text: str, country: str) -> str:
    return _format(text, country, PhoneNumberFormat.INTERNATIONAL)


def dial_forms(phone: Phone, country: str, caller_in: str | None) -> tuple[str, str | None] | None:
    """(what to dial, the from-abroad form to add or None) for a caller in `caller_in`;
    None when this number cannot be dialled from there.
    Unknown caller: as written, with the abroad form beside it when there is one."""
    home = phone.country or country
    if caller_in is None:
        return phone.number, phone.abroad
    if caller_in == home:
        return local_form(phone.number, home), None
    if phone.works == ANYWHERE:
        return international_form(phone.number, home), None
    if phone.abroad:
        return international_form(phone.abroad, home), None
    return None


def phone_like_runs(text: str) -> list[str]:
    """Digit runs in a text that look like phone numbers (3+ digits), not years 1900-2099."""
    runs = []
    for match in PHONE_LIKE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        year = re.fullmatch(r"\(?(19|20)\d\d\)?", match.group().strip("()")) and (
            YEAR_BEFORE.search(text[:match.start()]) or match.group().startswith("("))
        if len(digits) >= 3 and not year:
            runs.append(match.group().strip("()"))
    return runs


def parse_phones(spec: object, here: str, problems: list[Problem]) -> dict[str, Phone]:
    """The `phones:` mapping of one fact; problems for anything malformed."""
    phones: dict[str, Phone] = {}
    if spec is None:
        return phones
    if not isinstance(spec, dict):
        problems.append(Problem("error", here, "phones: must be a mapping of name: {number, works}"))
        return phones
    for name, entry in spec.items():
        if not isinstance(entry, dict) or not entry.get("number"):
            problems.append(Problem("error", here, f"phone '{name}' needs number: and works: {INSIDE} or {ANYWHERE}"))
            continue
        for key in set(entry) - PHONE_KEYS:
            problems.append(Problem("error", here, f"phone '{name}': unknown key '{key}'"))
        works = str(entry.get("works") or "")
        if works not in WORKS:
            problems.append(Problem("error", here, f"phone '{name}' does not say from where it works: add works: {INSIDE} (only inside its country) or works: {ANYWHERE} (a full number)"))
        phones[str(name)] = Phone(number=str(entry["number"]), works=works,
                                  abroad=str(entry["abroad"]) if entry.get("abroad") else None,
                                  country=str(entry["country"]) if entry.get("country") else None)
    return phones


def validate_phones(bundle) -> list[Problem]:
    """Dialability rules for every fact, and an emergency number for every country we serve."""
    problems: list[Problem] = []
    for fact in bundle.facts.values():
        here = f"{fact.source_file}: {fact.id}"
        if fact.serves is not None and fact.serves not in SERVES:
            problems.append(Problem("error", here, f"serves must be one of {list(SERVES)}"))
        if fact.topic in ("hotline", "agency_check") and fact.serves is None:
            problems.append(Problem("error", here, f"say whom it serves: serves: {HERE} (people in that country), {CITIZENS} (its citizens anywhere) or {BOTH}"))
        if fact.topic in PHONE_TOPICS:
            for run in phone_like_runs(fact.text):
                problems.append(Problem("error", here, f"'{run}' looks like a phone number in the text: put it in phones: and write a {{placeholder}}"))
        for name, phone in fact.phones.items():
            home = phone.country or fact.country
            if not home:
                problems.append(Problem("error", here, f"phone '{name}': a route fact's phone needs country:"))
                continue
            if not phonenumbers.country_code_for_region(home):
                problems.append(Problem("error", here, f"phone '{name}': libphonenumber knows no country '{home}'"))
                continue
            if phone.works == ANYWHERE:
                parsed = full_number(phone.number, home)
                if parsed is not None and phonenumbers.number_type(parsed) in NOT_FROM_ABROAD:
                    problems.append(Problem("error", here, f"phone '{name}' {phone.number} says works: {ANYWHERE}, but libphonenumber says it is a toll-free or shared-cost number, which rarely works from abroad: write works: {INSIDE} (and abroad: if the source gives one)"))
                elif parsed is None or not phonenumbers.can_be_internationally_dialled(parsed):
                    problems.append(Problem("error", here, f"phone '{name}' {phone.number} says works: {ANYWHERE}, but libphonenumber does not know it as a full number of {home} that can be dialled from abroad: write works: {INSIDE} (and abroad: if the source gives one)"))
                elif phone.abroad:
                    problems.append(Problem("error", here, f"phone '{name}': abroad: is only for a number that works inside its country"))
            if phone.abroad:
                code = phonenumbers.country_code_for_region(home)
                if not re.match(rf"^\+{code}\b", phone.abroad.replace("-", " ").replace("(", "")):
                    problems.append(Problem("error", here, f"phone '{name}': abroad: must be the international form, starting +{code}"))
    for code in dict.fromkeys(bundle.origins + bundle.destinations):
        if not any(f.country == code for f in bundle.by_topic.get("emergency", [])):
            problems.append(Problem("error", "content/countries.yaml", f"'{code}' has no emergency number fact (topic: emergency, country: {code})"))
    return problems
