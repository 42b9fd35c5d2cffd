"""Writes the JSON Schema of each record type to `schemas/json/<doc_type>.schema.json`.

Run `python -m schemas.jsonschema` after changing a model; a test checks the files are current.
"""

from __future__ import annotations

import json
from pathlib import Path

from schemas.records import MODELS, DocType

JSON_DIR = Path(__file__).parent / "json"


def schema_text(doc_type: DocType) -> str:
    schema = MODELS[doc_type].model_json_schema()
    schema["$id"] = f"{doc_type.value}.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path = JSON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for doc_type in DocType:
        path = directory / f"{doc_type.value}.schema.json"
        path.write_text(schema_text(doc_type), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_schemas():
        print(p)
