# The production image: one image for web (gunicorn), worker and beat (Celery).
# docker-compose.yml shows how the three run together on PostgreSQL and Redis.

# --- GOV.UK and MOJ Frontend assets (Node is needed only here) ----------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# The same copy as the Makefile's `assets` target: CSS, JS, their source maps
# and the fonts and images, flat in one folder that collectstatic finds.
ARG GOVUK=node_modules/govuk-frontend/dist/govuk
ARG MOJ=node_modules/@ministryofjustice/frontend/moj
RUN mkdir -p build/govuk-frontend \
 && cp $GOVUK/govuk-frontend.min.css $GOVUK/govuk-frontend.min.css.map \
       $GOVUK/govuk-frontend.min.js $GOVUK/govuk-frontend.min.js.map build/govuk-frontend/ \
 && cp -R $GOVUK/assets/. build/govuk-frontend/ \
 && cp $MOJ/moj-frontend.min.css $MOJ/moj-frontend.min.css.map \
       $MOJ/moj-frontend.min.js $MOJ/moj-frontend.min.js.map build/govuk-frontend/ \
 && cp -R $MOJ/assets/images/. build/govuk-frontend/images/

# --- The application ------------------------------------------------------------
# bookworm (Debian 12): the release the service and CI are tested on, and one
# that ships fonts-liberation2.
FROM python:3.11-slim-bookworm

# PYTHONPATH: import the apps from /app, not the copies pip puts in
# site-packages, because settings find templates/, static/ and build/ beside
# the package.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=accreditation.settings

# WeasyPrint needs Pango (and HarfBuzz's subsetter for font subsetting);
# letters use Liberation fonts from Debian.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

# A writable home, so fontconfig (WeasyPrint) can keep its cache.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not
# reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# Only what the service needs at run time (no .venv, node_modules, var/ or tests).
COPY manage.py gunicorn.conf.py ./
COPY accreditation/ accreditation/
COPY proposals/ proposals/
COPY assessments/ assessments/
COPY advisory_group/ advisory_group/
COPY feedback/ feedback/
COPY templates/ templates/
COPY static/ static/
RUN pip install --no-deps . && rm -rf build ./*.egg-info
COPY --from=assets /src/build/govuk-frontend/ build/govuk-frontend/

# Static files are built into the image (whitenoise serves them with hashed,
# compressed names). The key and the scratch folder exist only for this step.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-var

# Writable places for the non-root user: var/ (scratch) and the uploads
# volume's mount point, so a fresh named volume starts owned by the user.
RUN mkdir -p /app/var /data/uploads \
 && chown -R app:app /app/var /data/uploads

USER app
ENV MEDIA_ROOT=/data/uploads
EXPOSE 8000

# Web by default; docker-compose.yml runs the worker and beat from this image too.
CMD ["gunicorn", "accreditation.wsgi", "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
