"""Vietnam's administrative units, to recognise a misread place name in an address.

The list is the General Statistics Office's (63 provinces, their districts and communes) as
of January 2025, before the July 2025 reorganisation: the three levels (`xã`, `huyện`,
`tỉnh`) the records in the wards' cabinets are written with. It comes with the
`vietnam-provinces` 0.6.0 package (its data file only).

It never repairs and never requires: a name it does not know may be older or newer than the
list (units merge and are renamed). It only tells that a name is one letter or one mark away
from the one unit of that name where the address puts it (`xã Tần Phú, huyện Đức Hòa, tỉnh
Long An`: Đức Hòa has a `Tân Phú` and no `Tần Phú`), which is how OCR misreads a name.
"""

from __future__ import annotations

import json
from functools import cache

from rapidfuzz.distance import Levenshtein

from schemas.quality import tone_key
from schemas.vocab import unit_and_name

__all__ = ["misread_unit"]

# the unit words (folded) that name each level
_PROVINCE_UNITS = ("thanh pho", "tinh")
_DISTRICT_UNITS = ("thanh pho", "thi xa", "huyen", "quan")
_COMMUNE_UNITS = ("thi tran", "phuong", "xa")


def _key(name: str) -> str:
    """Comparison key of a name: lowercase, the tone wherever it is placed (`Hoà` = `Hòa`)."""
    return " ".join("".join(tone_key(word)) for word in name.split())


def _bare(name: str) -> str:
    """A unit's name without its unit word (`Huyện Đức Hòa` -> `Đức Hòa`)."""
    named = unit_and_name(name)
    return named[1] if named else name


@cache
def _units() -> dict[str, dict[str, frozenset[str]]]:
    """province key -> district key -> commune keys."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    provinces = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return {
        _key(_bare(p["name"])): {
            _key(_bare(d["name"])): frozenset(_key(_bare(w["name"])) for w in d["wards"])
            for d in p["districts"]
        }
        for p in provinces
    }


def _named(part: str, units: tuple[str, ...]) -> str | None:
    """The name in an address part that starts with one of `units` (folded), unless it is a
    number (`Quận 1`)."""
    named = unit_and_name(part, units)
    if named is None or any(ch.isdigit() for ch in named[1]):
        return None
    return named[1]


def _near_one(key: str, known: dict[str, object] | frozenset[str]) -> bool:
    """`key` is not a known name, but one known name is one edit away from it."""
    if key in known:
        return False
    return sum(Levenshtein.distance(key, k, score_cutoff=1) <= 1 for k in known) == 1


def misread_unit(value: str | None) -> str | None:
    """The level (`huyện`, `xã`) whose name in `value` is one letter or mark from the one
    unit of that level where the address puts it; None when every name found is known or
    too far from any to tell."""
    if not value:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) < 2:
        return None
    province = _named(parts[-1], _PROVINCE_UNITS)
    districts = _units().get(_key(province)) if province else None
    if districts is None:
        return None
    district = _named(parts[-2], _DISTRICT_UNITS)
    if district is None:
        return None
    district_key = _key(district)
    if _near_one(district_key, districts):
        return "huyện"
    communes = districts.get(district_key)
    commune = _named(parts[-3], _COMMUNE_UNITS) if communes and len(parts) >= 3 else None
    if commune is not None and _near_one(_key(commune), communes):
        return "xã"
    return None
