"""Pipeline settings: environment variables `DIGITIZE_*`, or the file named by `DIGITIZE_CONFIG`.

Credentials never live in the repository: they come from the environment or from a
config file outside it (see README, "Configuration").
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# `digitize serve`'s choices, here rather than in flows/serve.py so that the command line
# (and every page worker process, which imports the program's main module) does not import
# Prefect just to list its options.
DEFAULT_DEPLOYMENT = "workers"


class After(StrEnum):
    """What becomes of a file in the inbox once its original is safely stored."""

    keep = "keep"
    move = "move"
    delete = "delete"


class PipelineSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DIGITIZE_",
        env_file=os.environ.get("DIGITIZE_CONFIG"),
        extra="ignore",
    )

    wards_file: Path | None = Field(
        default=None, description="JSON or TOML ward registry; the built-in one when unset"
    )
    ocr_workers: int = Field(
        # Twice the cores: a worker process alternates between its own work (loading,
        # cleaning, votes) and waiting for its Tesseract, so one per core leaves cores idle.
        # Measured on 2 cores, `make bench`'s 109 pages: 3 workers 141.9 s, 4 workers
        # 134.6 s, 6 workers 136.2 s (threads instead of worker processes: 133.4-133.7 s
        # with 3, and the flow's process peaking at 1.3 GB instead of 0.63 GB).
        default_factory=lambda: 2 * (os.cpu_count() or 1),
        ge=1,
        description="pages cleaned and read at once, one single-threaded Tesseract each",
    )
    ocr_lang: str = "vie"
    page_dpi: int = Field(default=300, ge=72, le=600)
    page_timeout_s: float = Field(default=180.0, gt=0, description="per-page OCR time limit")
    min_confidence: float = Field(
        default=0.6, ge=0, le=1, description="required fields below this go to review"
    )
    cache_dir: Path | None = Field(
        default=None,
        description="local cache of originals, one run at a time (default: the run's own "
                    "scratch folder, removed when it ends)")
    searchable_pdf: bool = Field(
        default=True,
        description="store each record as a searchable PDF (written by the page's first "
        "Tesseract call; set false to save its cost and space)",
    )
    task_runner: str = Field(
        default="threads",
        description="where process-drops runs its page tasks: `threads` (this machine), "
        "`dask` (a local Dask cluster) or `tcp://HOST:PORT` (a Dask scheduler)",
        pattern=r"^(threads|dask|tcp://.+)$",
    )
