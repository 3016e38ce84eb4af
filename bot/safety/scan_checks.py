"""The job-ad scan's checks that combine what was found: pay against the destination's
wages, a lure job in a lure country or a route through another country, an ad speaking as
an official body, and the signs that a notice is legitimate (which lower the score).
Each adds findings to the scan's collectors (see scan.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .scan_match import in_original

if TYPE_CHECKING:
    from .scan import RedFlags, _Collector


def keys(seen: dict[str, list[str]], kind: str) -> dict[str, list[str]]:
    return {key.partition(":")[2]: said for key, said in seen.items() if key.partition(":")[0] == kind}


def pay_check(text: str, lang: str, abroad: dict, jobs: dict, redflags: RedFlags, red: _Collector) -> None:
    """A salary far above what the job pays at the destination (or, with no destination
    named, in the lure countries we have figures for: the highest of them)."""
    wages = redflags.wages
    if abroad:
        places = [c for c in abroad if c in wages.countries()]
    else:
        places = [c for c, info in redflags.countries.items() if info.get("lure") and c in wages.countries()]
    ceilings = [c for c in (wages.ceiling(place, list(jobs)) for place in places) if c]
    if not ceilings:
        return
    ceiling = max(ceilings)
    for amount in wages.amounts(text, lang):
        if amount.kind == "fee":
            continue
        usd = amount.usd_month(wages.rates)
        if usd is not None and usd > ceiling:
            red.add("pay_too_high", in_original(text, amount.text))
            return


def route_check(abroad: dict, jobs: dict, redflags: RedFlags, red: _Collector) -> None:
    lure_places = [c for c in abroad if redflags.countries.get(c, {}).get("lure")]
    hub_places = [c for c in abroad if redflags.countries.get(c, {}).get("hubs")]
    lure_jobs = [j for j in jobs if redflags.jobs.get(j, {}).get("lure")]
    if lure_places and lure_jobs:
        red.add("scam_route", f"{jobs[lure_jobs[0]][0]} + {abroad[lure_places[0]][0]}")
    elif hub_places:  # any job there: these countries have no legal recruitment channel for it
        red.add("scam_route", abroad[hub_places[0]][0])
    if len(lure_places) >= 2 and (lure_jobs or "border_route" in red):
        red.add("border_route", " → ".join(abroad[c][0] for c in lure_places[:3]))


def impersonation_check(seen: dict, abroad: dict, official_hosts: list[str], redflags: RedFlags,
                         red: _Collector, chat_contact: bool) -> None:
    """Speaks as a labour office or embassy but shows no official website, and asks for
    money, or recruits for a rich country by chat. Also: money asked before a job in a rich
    country (the bait of most fee scams)."""
    rich = [c for c in abroad if redflags.countries.get(c, {}).get("rich")]
    money = "fee_before" in red or "private:" in seen
    if rich and money:
        red.add("rich_country_fee", abroad[rich[0]][0])
    claims = keys(seen, "claim").get("", [])
    chat = "found_social" in red or chat_contact
    if claims and not official_hosts and (money or (rich and chat)):
        red.add("impersonation", " + ".join([claims[0], *(abroad[c][0] for c in rich[:1])]))


def legit_check(text: str, seen: dict, official_hosts: list[str], redflags: RedFlags,
                 red: _Collector, good: _Collector, chat_contact: bool) -> None:
    if any(f in red for f in ("private_payment", "scam_hub", "impersonation", "lookalike_domain", "passport_kept")):
        return  # fake ads copy official names; these cancel every good sign
    lowered = text.casefold()
    for country, pattern in redflags.legit.licences:
        m = pattern.search(lowered)
        if m:
            good.add("legit_licence", m.group(0).strip())
    if official_hosts:
        good.add("legit_domain", ", ".join(official_hosts[:3]))
    channels = keys(seen, "channel")
    for programme, said in keys(seen, "programme").items():
        if programme in channels or official_hosts:
            good.add("legit_programme", f"{said[0]} + {(channels.get(programme) or official_hosts)[0]}")
    if good.items and "found_social" in red:
        del red.items["found_social"]  # an official body's own page is not "found on social media"
    if good.items and "contact_offplatform" in red and not chat_contact:
        del red.items["contact_offplatform"]  # an office phone number beside a licence is normal
