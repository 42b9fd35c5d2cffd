# The pipeline image (Prefect worker and intake service).
# bookworm: its Debian tesseract (5.3, tessdata_fast models incl. `vie`) and
# poppler are the versions the tests run against on CI.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # One thread per Tesseract: pages are parallelized across processes instead.
    OMP_THREAD_LIMIT=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-script-viet poppler-utils \
      fonts-dejavu-core fonts-liberation2 fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Only what `pip install .` needs: tests, docs and local data stay out of the image.
COPY pyproject.toml ./
COPY flows ./flows
COPY ocr ./ocr
COPY storage ./storage
COPY schemas ./schemas
COPY samples ./samples
RUN pip install . && rm -rf /app/build

# Never run the pipeline as root: it reads clerks' scans from a shared mount.
RUN useradd --create-home --uid 10001 digitize \
 && mkdir -p /srv/inbox /srv/archive /srv/failed \
 && chown digitize:digitize /srv/inbox /srv/archive /srv/failed
USER digitize
WORKDIR /home/digitize

CMD ["prefect", "worker", "start", "--pool", "ward-digitize", "--type", "process"]
