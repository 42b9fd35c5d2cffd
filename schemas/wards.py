"""The ward registry: which wards run the campaign (code = inbox folder = counter key).

The default registry of RECORDS.md is embedded; `WardRegistry.load(path)` reads another one
from a JSON or TOML file so that a ward can be added, renamed or given a target without a
code change. File format (JSON): ``{"wards": [{"code": "phu-tan", "name": "Phú Tân",
"city": "Thủ Dầu Một", "target": 12000}, ...]}`` (a bare list is accepted too); TOML:
``[[wards]]`` tables with the same keys.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from schemas.vocab import fold

__all__ = ["Ward", "WardRegistry", "DEFAULT_WARDS"]


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    city: str
    target: int | None = None


DEFAULT_WARDS: tuple[Ward, ...] = (
    Ward("phu-tan", "Phú Tân", "Thủ Dầu Một"),
    Ward("phu-loi", "Phú Lợi", "Thủ Dầu Một"),
    Ward("phu-my", "Phú Mỹ", "Thủ Dầu Một"),
    Ward("hoa-phu", "Hòa Phú", "Thủ Dầu Một"),
    Ward("an-thanh", "An Thạnh", "Thuận An"),
    Ward("binh-hoa", "Bình Hòa", "Thuận An"),
    Ward("thuan-giao", "Thuận Giao", "Thuận An"),
    Ward("binh-chuan", "Bình Chuẩn", "Thuận An"),
    Ward("an-phu", "An Phú", "Thuận An"),
    Ward("lai-thieu", "Lái Thiêu", "Thuận An"),
    Ward("tan-dong-hiep", "Tân Đông Hiệp", "Dĩ An"),
    Ward("di-an", "Dĩ An", "Dĩ An"),
    Ward("tan-binh", "Tân Bình", "Dĩ An"),
    Ward("binh-thang", "Bình Thắng", "Dĩ An"),
    Ward("my-phuoc", "Mỹ Phước", "Bến Cát"),
    Ward("thoi-hoa", "Thới Hòa", "Bến Cát"),
    Ward("thai-hoa", "Thái Hòa", "Tân Uyên"),
    Ward("tan-phuoc-khanh", "Tân Phước Khánh", "Tân Uyên"),
)

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOKEN = re.compile(r"[0-9a-z]+")
# words that introduce an administrative unit (folded); a name after "xa", "huyen" ... is
# not a ward of the registry even when it is spelled the same.
_WARD_WORDS = ("phuong",)
_OTHER_UNITS = {"xa", "huyen", "tinh", "quan", "thi", "tran", "thanh", "pho", "tp", "tx", "ap",
                "thon", "khu", "to"}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text).replace("đ", "d"))


class WardRegistry:
    """An ordered set of wards, looked up by code or by a printed name."""

    def __init__(self, wards: list[Ward] | tuple[Ward, ...]) -> None:
        self._wards: dict[str, Ward] = {}
        for ward in wards:
            if not _CODE.match(ward.code):
                raise ValueError(f"invalid ward code {ward.code!r} (lowercase, digits, dashes)")
            if ward.code in self._wards:
                raise ValueError(f"duplicate ward code {ward.code!r}")
            self._wards[ward.code] = ward

    # -- construction -------------------------------------------------------------------
    @classmethod
    def default(cls) -> WardRegistry:
        return cls(DEFAULT_WARDS)

    @classmethod
    def load(cls, path: Path | str | None = None) -> WardRegistry:
        """The registry in `path` (.json or .toml); the embedded default when `path` is None."""
        if path is None:
            return cls.default()
        path = Path(path)
        raw = path.read_bytes()
        data: Any
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
        items = data.get("wards", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ValueError(f"{path}: expected a list of wards")
        wards: list[Ward] = []
        for item in items:
            if not isinstance(item, dict):
                raise ValueError(f"{path}: each ward must be a table/object")
            target = item.get("target")
            wards.append(
                Ward(
                    code=str(item["code"]),
                    name=str(item["name"]),
                    city=str(item.get("city", "")),
                    target=int(target) if target is not None else None,
                )
            )
        return cls(wards)

    def to_json(self) -> str:
        return json.dumps(
            {"wards": [w.__dict__ for w in self._wards.values()]}, ensure_ascii=False, indent=2
        )

    # -- lookup -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Ward]:
        return iter(self._wards.values())

    def __len__(self) -> int:
        return len(self._wards)

    def __contains__(self, code: object) -> bool:
        return code in self._wards

    def codes(self) -> list[str]:
        return list(self._wards)

    def get(self, code: str) -> Ward | None:
        return self._wards.get(code)

    def find_by_name(self, text: str, min_score: float = 85.0) -> Ward | None:
        """The registry ward named in `text`, or None when none or several could be meant.

        Accepts a bare name (`Phú Tân`, `phuong phu tan`) or a longer text in which the ward
        is introduced by `phường` / `P.` (`Tổ 3, khu phố 2, phường Phú Tân, TP Thủ Dầu Một`,
        `UBND phường Phú Tân`). Comparison is diacritics-insensitive and tolerates an OCR
        error or two (fuzzy ratio >= `min_score`); a name after `xã`, `huyện`, ... is not
        taken for a ward.
        """
        if not text or not text.strip():
            return None
        tokens = _tokens(text)
        if not tokens:
            return None
        scores: dict[str, float] = {}

        def consider(window: list[str]) -> None:
            for ward in self._wards.values():
                name = _tokens(ward.name)
                cand = " ".join(window[: len(name)])
                score = fuzz.ratio(cand, " ".join(name))
                if score > scores.get(ward.code, 0.0):
                    scores[ward.code] = score

        anchored = False
        for i, tok in enumerate(tokens):
            is_ward_word = tok == "p" or any(fuzz.ratio(tok, w) >= 80 for w in _WARD_WORDS)
            if is_ward_word and i + 1 < len(tokens):
                anchored = True
                consider(tokens[i + 1 : i + 5])
        if not anchored:
            # a bare name, or a comma-separated address whose segment is a bare name
            segments = [_tokens(s) for s in re.split(r"[,;\n]", text)]
            for seg in segments:
                if seg and seg[0] not in _OTHER_UNITS:
                    for ward in self._wards.values():
                        name = _tokens(ward.name)
                        if len(seg) == len(name):
                            score = fuzz.ratio(" ".join(seg), " ".join(name))
                            if score > scores.get(ward.code, 0.0):
                                scores[ward.code] = score
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        if not ranked or ranked[0][1] < min_score:
            return None
        if len(ranked) > 1 and ranked[1][1] >= min_score and ranked[0][1] - ranked[1][1] < 5:
            return None
        return self._wards[ranked[0][0]]
