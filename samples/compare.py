"""Pairing a generated inbox's truth with what the pipeline recorded, field by field.

Used by the end-to-end tests and by the records benchmark: one way to say whether a
record came out right.
"""

from __future__ import annotations

from typing import Any

from samples.generate import TruthRecord


def record_index(record_id: str) -> int | None:
    tail = record_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def match(truth: list[TruthRecord], results: list[dict[str, Any]]
          ) -> list[tuple[TruthRecord, dict[str, Any] | None]]:
    by_key: dict[tuple[str, int], dict[str, Any]] = {}
    file_dups: dict[str, dict[str, Any]] = {}
    for r in results:
        idx = record_index(r["record_id"])
        if idx is None:
            file_dups[r["source_name"]] = r
        else:
            by_key[(r["source_name"], idx)] = r
    pairs = []
    for t in truth:
        r = by_key.get((t.source_name, t.record_index)) or file_dups.get(t.source_name)
        pairs.append((t, r))
    return pairs


def field_names(t: TruthRecord, r: dict[str, Any] | None) -> list[str]:
    names = [k for k, v in t.fields.items() if v is not None]
    if r:
        names += [k for k, v in (r.get("fields") or {}).items()
                  if v is not None and k not in names and k in t.fields]
    return names


def field_equal(t: TruthRecord, r: dict[str, Any] | None, name: str) -> bool:
    got = (r or {}).get("fields", {}).get(name) if r else None
    return got == t.fields.get(name)


def all_fields_equal(t: TruthRecord, r: dict[str, Any]) -> bool:
    if t.doc_type is None or r.get("doc_type") != t.doc_type:
        return False
    return all(field_equal(t, r, n) for n in field_names(t, r))
