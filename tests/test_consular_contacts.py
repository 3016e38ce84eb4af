"""Embassy and consulate contacts of the origins in their destinations: a worker in the
destination finds the contact on the passport screen (consular@origin) and on the first
emergency screen, dialled the local way; no one is shown another origin's embassy, or their
own origin's embassy in a country where they are not."""

import pytest

from bot.engine.testing import ChatClient

# (origin, destination, what the worker must see on the passport screen)
CORRIDORS = [
    ("India", "Kuwait", "Free help line for Indian domestic workers, 24 hours: 25674163"),
    ("Philippines", "Kuwait", "Help for citizens in trouble: 6500-2612 or 9800-5115"),
    ("Vietnam", "Taiwan", "Hotline for citizens who need help: 0933 262 836"),  # +886 written: local form
    ("Nepal", "Qatar", "Embassy of Nepal (Doha). Its website: qa.nepalembassy.gov.np"),
    ("Nepal", "Saudi Arabia", "sa.nepalembassy.gov.np/registration-form"),
    ("Bangladesh", "Malaysia", "can call: 012-431 3150, 0122941617 or 0122903252"),
    # corridors added earlier, kept here so the one walk covers them all
    ("Indonesia", "Hong Kong", "5242 2240"),
    ("Indonesia", "Malaysia", "017-668 8032"),
    ("Indonesia", "Taiwan", "(KDEI)"),
    ("Philippines", "Hong Kong", "9155 4023"),
    ("Sri Lanka", "United Arab Emirates", "800119119"),
    ("Vietnam", "Japan", "080-3590-9136"),
    ("Vietnam", "Thailand", "089 896 6653"),
]


def embassy_markers(bundle):
    """A piece of each embassy fact's English text that no other fact has: its opening."""
    return {f.id: (f.country, f.located_in, f.text.split(":", 1)[1].split("{")[0].strip()[:40])
            for f in bundle.by_topic["consular"] if f.located_in}


@pytest.mark.parametrize("origin, destination, expected", CORRIDORS)
def test_worker_sees_their_embassy_on_the_passport_and_emergency_screens(engine, origin, destination, expected):
    chat = ChatClient(engine, user_id=f"tg:{origin}-{destination}")
    chat.onboard(origin=origin, destination=destination)
    chat.press_data("g:emergency_passport")
    assert expected in chat.read_all()
    chat.press_data("g:emergency")
    assert expected in chat.read_all()  # the first emergency screen (consular@origin), on a later page


def test_no_one_sees_another_origins_embassy_or_one_in_another_country(engine):
    """Every origin in every destination that has an embassy fact: only the embassy of their
    own origin in the country where they are."""
    bundle = engine.bundle
    markers = embassy_markers(bundle)
    assert len(markers) >= 12
    names = {code: name for code, name in [("IN", "India"), ("PH", "Philippines"), ("VN", "Vietnam"),
                                            ("NP", "Nepal"), ("ID", "Indonesia"), ("LK", "Sri Lanka"),
                                            ("MM", "Myanmar"), ("KH", "Cambodia"), ("BD", "Bangladesh")]}
    places = {"KW": "Kuwait", "TW": "Taiwan", "QA": "Qatar", "SA": "Saudi Arabia", "HK": "Hong Kong",
              "MY": "Malaysia", "AE": "United Arab Emirates", "JP": "Japan", "TH": "Thailand"}
    checked = 0
    for origin, origin_name in names.items():
        for place, place_name in places.items():
            chat = ChatClient(engine, user_id=f"tg:x-{origin}-{place}")
            chat.onboard(origin=origin_name, destination=place_name)
            chat.press_data("g:emergency_passport")
            shown = chat.read_all()
            for fact_id, (country, located_in, marker) in markers.items():
                if (country, located_in) == (origin, place):
                    assert marker in shown, (origin, place, fact_id)
                else:
                    assert marker not in shown, (origin, place, fact_id)
            checked += 1
    assert checked == len(names) * len(places)


def test_family_at_home_gets_the_embassy_of_the_relatives_country_only_where_it_can_be_dialled(engine):
    # Viet Nam's office in Taipei: a full number, shown to the family in international form
    family = ChatClient(engine, user_id="tg:vn-family")
    family.onboard(role="For a family member", origin="Vietnam", destination="Taiwan")
    family.press_data("g:family_silent")
    assert "+886 933 262 836" in family.read_all()
    # Kuwait numbers the sources give only in local form cannot be dialled from India: left out
    family = ChatClient(engine, user_id="tg:in-family")
    family.onboard(role="For a family member", origin="India", destination="Kuwait")
    family.press_data("g:family_silent")
    assert "25674163" not in family.read_all()


def test_old_embassy_numbers_carry_the_could_not_confirm_caveat(engine):
    chat = ChatClient(engine, user_id="tg:ph-kw")
    chat.onboard(origin="Philippines", destination="Kuwait")
    chat.press_data("g:emergency_passport")
    line = next(part for part in chat.read_all().split("\n\n") if "6500-2612" in part)
    assert "We could not confirm this recently (source from August 17, 2020)" in line


def test_sri_lankan_family_at_home_gets_the_2026_emergency_lines_in_local_form(engine):
    family = ChatClient(engine, user_id="tg:lk-family")
    family.onboard(role="For a family member", origin="Sri Lanka", destination="Saudi Arabia")
    family.press_data("g:family_silent")
    shown = family.read_all()
    assert "Consular Affairs Division, 074 259 5546" in shown  # dialled in Sri Lanka: local form
    worker = ChatClient(engine, user_id="tg:lk-worker")
    worker.onboard(origin="Sri Lanka", destination="Kuwait")
    worker.press_data("g:emergency_passport")
    assert "+94 74 259 5546" in worker.read_all()  # from Kuwait: international form
