# syntax=docker/dockerfile:1
#
# DL Classroom: one image for every Python process (web, both Celery workers, beat and the
# set-up job); only the command differs. See docs/deploy.md.
#
#   docker build -t dlclassroom:latest .                                   CPU
#   docker build --build-arg TENSORFLOW_CUDA=1 -t dlclassroom-gpu:latest .  GPU (CUDA + cuDNN from pip)
#
# The GPU variant keeps the same Debian base and adds TensorFlow's `and-cuda` extra (NVIDIA's
# CUDA/cuDNN pip wheels); the host or node only needs the NVIDIA driver and the NVIDIA Container
# Toolkit / device plugin. BASE_IMAGE swaps the base instead (e.g. an nvidia/cuda runtime image):
# it must be Debian or Ubuntu with a Python 3.11 that has the venv module, named by PYTHON, and
# EXTRA_APT_PACKAGES can install what that base lacks.

ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG PYTHON=python3.11
ARG TENSORFLOW_CUDA=0
ARG EXTRA_APT_PACKAGES=""
ARG DLC_UID=10001

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/platform:/app/workers \
    DJANGO_SETTINGS_MODULE=dlclassroom.settings \
    DLC_DATA_ROOT=/data \
    HOME=/home/dlc

# Chinese fonts: the lesson figures are drawn with WenQuanYi Micro Hei, the Kaiti/Mingti data set
# with the two AR PL fonts. tini is PID 1: it forwards SIGTERM (Celery's warm shutdown, Daphne's
# graceful stop) and reaps orphans. bubblewrap is the sandbox learner code runs in (code
# exercises on the light worker, Keras-code runs on the training worker; docs/sandbox.md).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming tini bubblewrap ${EXTRA_APT_PACKAGES} \
 && rm -rf /var/lib/apt/lists/*

# A fixed numeric user, so Kubernetes' runAsNonRoot can verify it; /data is the mount point of the
# shared data root (DLC_DATA_ROOT) and belongs to that user, so a fresh Docker volume does too.
RUN groupadd --gid "${DLC_UID}" dlc \
 && useradd --uid "${DLC_UID}" --gid dlc --home-dir /home/dlc --create-home --shell /usr/sbin/nologin dlc \
 && mkdir -p /data /app \
 && chown dlc:dlc /data

# Dependencies first: this layer is reused until requirements.txt changes. kubernetes-validate
# (100 MB of Kubernetes schemas) only serves tests/deploy and stays out of the image.
COPY requirements.txt /app/requirements.txt
RUN "${PYTHON}" -m venv /opt/venv \
 && grep -v '^kubernetes-validate==' /app/requirements.txt > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt \
 && if [ "${TENSORFLOW_CUDA}" = "1" ]; then \
      pip install "tensorflow[and-cuda]==$(sed -n 's/^tensorflow==//p' /app/requirements.txt)"; \
    fi

WORKDIR /app
COPY . /app

# A fingerprint of the source tree: the set-up job records it in the data root once it has
# migrated and collected static files, and `deploy/container.sh wait` holds a new pod back until
# the set-up of its own build has run (rolling upgrades on Kubernetes). Then byte-compile, and
# check that Django's configuration loads and that static files collect without a database (the
# collected files live under DLC_DATA_ROOT, a volume, so the set-up job collects them for real).
RUN find /app -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum \
      | sha256sum | cut -c1-16 > /app/.build-id \
 && python -m compileall -q /app/platform /app/workers \
 && SECRET_KEY=build-check DLC_DATA_ROOT=/tmp/build-check python manage.py check \
 && SECRET_KEY=build-check DLC_DATA_ROOT=/tmp/build-check python manage.py collectstatic --noinput -v 0 \
 && rm -rf /tmp/build-check

USER ${DLC_UID}:${DLC_UID}

# Build matplotlib's font cache for this user, and fail the build if a needed font is missing.
RUN python -c "from lessonfigures.style import cjk_family; print('lesson figure font:', cjk_family())" \
 && test -f /usr/share/fonts/truetype/arphic/ukai.ttc \
 && test -f /usr/share/fonts/truetype/arphic/uming.ttc

EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
# The web process; compose and Kubernetes give the workers, beat and the set-up job their commands.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "dlclassroom.asgi:application"]
