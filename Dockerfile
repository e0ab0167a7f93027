# Production image: Python 3.11 with WeasyPrint's system libraries, the npm
# geographic data, compiled translations and collected static files.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json .npmrc ./
RUN npm install --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext curl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY --from=assets /app/node_modules ./node_modules
COPY . .
RUN DJANGO_ENV=development python manage.py compilemessages --ignore=node_modules \
 && DJANGO_ENV=development python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "frenchimpact.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
