"""The figures of docs/security.md, from the code and from the last runs.

Run the security tests first (they write ``var/security-report/*.json``)::

    .venv/bin/pytest -p no:cacheprovider tests/security \
        tests/frenchimpact/test_ledger.py
    .venv/bin/python -m tests.security.report

Counts taken from the code (URL patterns, roles, forms, upload fields,
corpus) need no run; the figures measured by a run (Hypothesis examples per
form, statuses, faults) are read from the JSON files the tests wrote.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT_DIR = ROOT / "var" / "security-report"


def _load(name):
    path = REPORT_DIR / name
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frenchimpact.settings")
    import django

    django.setup()
    from tests.security import test_hostile_uploads, test_permission_matrix, world
    from tests.security.test_escaping import free_text_fields
    from tests.security.test_hostile_input import FORM_CLASSES, _forms_table

    routes = test_permission_matrix.project_routes()
    admin = [r for r in routes if test_permission_matrix._is_admin(r)]
    declared = [r for r in routes if not test_permission_matrix._is_admin(r)]
    posts = [u for u in test_permission_matrix.URLS.values() if u.post]
    roles = len(world.ROLES)
    table = _forms_table()
    posted = [c for c in FORM_CLASSES if not hasattr(table[c], "reason")]
    hostile = _load("hostile_input.json")
    faults = _load("faults.json")

    lines = ["# Security figures", ""]
    lines.append(
        f"- URL patterns: {len(routes)} ({len(declared)} declared in the matrix, "
        f"{len(admin)} of the back office under one rule) x {roles} roles = "
        f"{len(declared) * roles} GET checks; {len(posts)} POST views refused "
        f"to every role that may not post them"
    )
    examples = {k: v for k, v in hostile.items() if "fields" in v and "url" in v}
    lines.append(
        f"- Forms: {len(FORM_CLASSES)} form classes, {len(posted)} posted through "
        f"their view with Hypothesis; last run: "
        f"{sum(v['examples'] for v in examples.values())} examples over "
        f"{len(examples)} forms"
    )
    for name, figures in sorted(examples.items()):
        lines.append(
            f"  - {name} ({figures['url']}): {figures['examples']} examples, "
            f"{figures['fields']} fields, statuses {figures['statuses']}"
        )
    api = {k: v for k, v in hostile.items() if k.startswith("api:")}
    if api:
        lines.append(
            f"- API: {sum(v['examples'] for v in api.values())} hostile queries "
            f"over {len(api)} list endpoints, statuses "
            f"{_sum_statuses(api.values())}"
        )
    corpus_size = 8
    uploads = {k: v for k, v in hostile.items() if k.startswith("upload ")}
    lines.append(
        f"- Uploads: {corpus_size} hostile files x "
        f"{len(test_hostile_uploads.UPLOAD_FIELDS)} upload fields = "
        f"{corpus_size * len(test_hostile_uploads.UPLOAD_FIELDS)} refusals "
        f"checked (last run: {sum(len(v['refused']) for v in uploads.values())})"
    )
    escaping = hostile.get("escaping", {})
    lines.append(
        f"- Escaping: payload in {len(free_text_fields())} free-text columns; "
        f"last run: {escaping.get('html pages', '?')} HTML pages read, "
        f"{escaping.get('urls showing', '?')} URLs showing it escaped"
    )
    for name, figures in sorted(faults.items()):
        lines.append(f"- Fault « {name} »: {json.dumps(figures, ensure_ascii=False)}")
    print("\n".join(lines))
    return 0


def _sum_statuses(items):
    total = {}
    for figures in items:
        for status, count in figures["statuses"].items():
            total[status] = total.get(status, 0) + count
    return dict(sorted(total.items()))


if __name__ == "__main__":
    raise SystemExit(main())
