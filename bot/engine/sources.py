"""A fact's source name as the reader sees it: "Bangkok Post (news)" with the kind of
source in the reader's language.

`source_name` in content/facts is written for editors: "Name (kind, quoting whom)". English
readers see it whole. In other languages the English detail would be noise, so the name
keeps one short parenthesis: the kind of source, translated (SOURCE_KINDS), or a proper
name such as "(JTKSM)" as written; a note on where the text came from ("via ...",
"quoting ...") is left out there, the site's address is shown anyway.
"""

from __future__ import annotations

import re

from ..i18n import N_, SOURCE_LANGUAGE, Translator

NEWS, GOVERNMENT, REPRINT, GUIDE = N_("news"), N_("government"), N_("reprint"), N_("guide")
LAW_FIRM, NGO, COMPANY = N_("law firm"), N_("NGO"), N_("company")
# How editors write the kind of source (lower case) -> the label readers see.
SOURCE_KINDS = {
    "news": NEWS, "news report": NEWS, "state newspaper": NEWS,
    "government": GOVERNMENT, "korean government": GOVERNMENT, "government news portal": GOVERNMENT,
    "government of india portal": GOVERNMENT, "business portal": GOVERNMENT, "district page": GOVERNMENT,
    "reprint": REPRINT, "text reprint": REPRINT, "press release reprint": REPRINT, "reposted": REPRINT,
    "portuguese parliament reprint": REPRINT, "dutch government treaty text": REPRINT,
    "guide": GUIDE,
    "law firm": LAW_FIRM, "law firm summary": LAW_FIRM, "law firm guide": LAW_FIRM,
    "ngo": NGO, "ngo summary": NGO, "charity": NGO,
    "thai recruitment firm": COMPANY, "agency blog": COMPANY, "passport service blog": COMPANY,
}
# A parenthesis that only says where the text came from.
_PROVENANCE = ("via ", "quoting ", "from ", "citing ", "on the ", "now ", "text on ", "translation of ")
_TRAILING = re.compile(r"^(?P<name>.*?)\s*\((?P<note>[^()]*)\)$")


def source_label(source_name: str, t: Translator) -> str:
    if t.lang == SOURCE_LANGUAGE:
        return source_name
    found = _TRAILING.match(source_name.strip())
    if not found:
        return source_name
    name, first = found["name"], re.split(r"[,;]", found["note"])[0].strip()
    if first.lower() in SOURCE_KINDS:
        return f"{name} ({t(SOURCE_KINDS[first.lower()])})"
    if first.lower().startswith(_PROVENANCE):
        return name
    return f"{name} ({first})"
