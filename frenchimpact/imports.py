"""Bulk imports from CSV or XLSX files in the back office, whole or nothing.

A file is read (UTF-8 CSV, with a comma or a semicolon, or the first sheet of
an XLSX workbook), its columns checked, then its rows imported by a
django-import-export resource in one transaction: if any row is wrong,
nothing is kept and the report lists every problem (line of the file,
column, message in French). A file that cannot be read gets the same report,
never a server error.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
#: an XLSX file is a ZIP: what it may inflate to, in all and per compressed
#: byte, before openpyxl is let near it (a decompression bomb is refused on
#: the sizes its entries declare; zipfile never inflates an entry beyond them)
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_RATIO = 100
#: lines read from a sheet before giving up (empty lines included)
XLSX_MAX_LINES = 2 * MAX_ROWS


class ImportFileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    line: int | None  # line of the file (the header is line 1)
    column: str
    message: str


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Table:
    dataset: tablib.Dataset
    lines: list[int]  # line of the file of each row of the dataset


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _table(rows: list[list], first_line: int = 1) -> Table:
    """Header and rows, empty lines skipped but counted."""
    rows = [[_cell(v) for v in row] for row in rows]
    while rows and not any(rows[0]):
        rows.pop(0)
        first_line += 1
    if not rows:
        raise ImportFileError(_("Le fichier est vide."))
    header = rows[0]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(_("La première ligne doit nommer les colonnes."))
    dataset = tablib.Dataset(headers=header)
    lines = []
    for offset, row in enumerate(rows[1:], start=1):
        if not any(row):
            continue
        row = (row + [""] * len(header))[: len(header)]
        dataset.append(row)
        lines.append(first_line + offset)
        if len(lines) > MAX_ROWS:
            raise ImportFileError(
                _("Le fichier dépasse %(max)d lignes : découpez-le.")
                % {"max": MAX_ROWS}
            )
    if not lines:
        raise ImportFileError(_("Le fichier ne contient aucune ligne à importer."))
    return Table(dataset, lines)


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Le fichier CSV n'est pas encodé en UTF-8 : enregistrez-le en "
                "« CSV UTF-8 » et recommencez."
            )
        ) from error
    if "\x00" in text:
        raise ImportFileError(_("Ce fichier n'est pas un fichier CSV lisible."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(
            _("Le fichier CSV est mal formé : %(error)s") % {"error": error}
        ) from error
    return _table(rows)


def _check_xlsx_archive(content: bytes) -> None:
    unreadable = ImportFileError(_("Ce fichier n'est pas un classeur XLSX lisible."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise unreadable from error
    total = sum(info.file_size for info in infos)
    if (
        len(infos) > XLSX_MAX_ENTRIES
        or total > XLSX_MAX_UNCOMPRESSED
        or total > XLSX_MAX_RATIO * max(len(content), 1)
    ):
        raise ImportFileError(
            _(
                "Ce classeur se décompresse en plus de %(max)d Mo : il n'est pas "
                "lu. Enregistrez les seules colonnes à importer dans un nouveau "
                "fichier."
            )
            % {"max": XLSX_MAX_UNCOMPRESSED // 1024 // 1024}
        )


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError(
            _("Ce fichier n'est pas un classeur XLSX lisible.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > XLSX_MAX_LINES:
                raise ImportFileError(
                    _("Le fichier dépasse %(max)d lignes : découpez-le.")
                    % {"max": MAX_ROWS}
                )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError(
            _("Ce fichier n'est pas un classeur XLSX lisible.")
        ) from error
    finally:
        workbook.close()
    return _table(rows)


def read_table(uploaded) -> Table:
    """The rows of an uploaded CSV or XLSX file, or ImportFileError."""
    suffix = PurePath(uploaded.name or "").suffix.lower()
    if uploaded.size > MAX_BYTES:
        raise ImportFileError(
            _("Le fichier dépasse %(max)d Mo.") % {"max": MAX_BYTES // 1024 // 1024}
        )
    content = uploaded.read()
    if not content.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if suffix == ".xlsx":
        return _read_xlsx(content)
    if suffix == ".csv":
        if content[:2] == b"PK":
            raise ImportFileError(
                _("Ce fichier est un classeur, pas un CSV : nommez-le « .xlsx ».")
            )
        return _read_csv(content)
    raise ImportFileError(_("Seuls les fichiers CSV et XLSX sont acceptés."))


def _messages(errors) -> list[str]:
    out = []
    for error in errors:
        out += list(getattr(error, "messages", None) or [str(error)])
    return out


def import_table(*, resource, table: Table, user=None) -> ImportReport:
    """Import every row, or none: the columns are checked first, then the
    resource imports in one transaction rolled back at the first problem."""
    report = ImportReport()
    columns = {f.column_name for f in resource.get_import_fields()}
    headers = table.dataset.headers
    for name in getattr(resource, "required_columns", []):
        if name not in headers:
            report.problems.append(
                Problem(1, name, _("Colonne obligatoire absente du fichier."))
            )
    for name in headers:
        if name not in columns:
            report.problems.append(
                Problem(
                    1,
                    name,
                    _("Colonne inconnue. Colonnes attendues : %(columns)s.")
                    % {"columns": ", ".join(sorted(columns))},
                )
            )
    if len(set(headers)) != len(headers):
        report.problems.append(
            Problem(1, "", _("Une colonne figure deux fois dans l'en-tête."))
        )
    if report.problems:
        return report
    if hasattr(resource, "prepare_dataset"):
        resource.prepare_dataset(table.dataset)
    result = resource.import_data(
        table.dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    column_of = {f.attribute: f.column_name for f in resource.get_import_fields()}

    def line(number):
        return table.lines[number - 1] if 0 < number <= len(table.lines) else None

    for error in result.base_errors:
        report.problems.append(Problem(None, "", str(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(Problem(line(number), "", str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages_ in invalid.error_dict.items():
            column = column_of.get(attribute, attribute)
            if attribute == "__all__":
                column = ""
            for message in _messages(messages_):
                report.problems.append(Problem(line(invalid.number), column, message))
    report.problems.sort(key=lambda p: (p.line or 0, p.column))
    if report.ok:
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
    return report


class ImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,  # an empty file gets the report, as any other
        label=gettext_lazy("Fichier CSV (UTF-8) ou XLSX"),
        help_text=gettext_lazy(
            "La première ligne nomme les colonnes. Rien n'est importé tant "
            "qu'une ligne est en erreur."
        ),
    )


class ImportAdminMixin:
    """Adds « Importer » to a model's back office: a page that takes a file,
    imports it whole with ``import_resource_class`` or lists its problems.
    Reserved to those who may both add and change the model."""

    import_resource_class = None
    change_list_template = "admin/import_change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.import_resource_class()
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    table = read_table(form.cleaned_data["file"])
                except ImportFileError as error:
                    report = ImportReport(problems=[Problem(None, "", error.message)])
                else:
                    report = import_table(
                        resource=resource, table=table, user=request.user
                    )
                if report.ok:
                    messages.success(
                        request,
                        _(
                            "Import terminé : %(created)d ligne(s) créée(s), "
                            "%(updated)d mise(s) à jour."
                        )
                        % {"created": report.created, "updated": report.updated},
                    )
                    return HttpResponseRedirect(
                        reverse(
                            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                            current_app=self.admin_site.name,
                        )
                    )
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Importer : %(model)s")
            % {"model": self.opts.verbose_name_plural},
            "opts": self.opts,
            "form": form,
            "report": report,
            "columns": [f.column_name for f in resource.get_import_fields()],
            "required_columns": getattr(resource, "required_columns", []),
        }
        return TemplateResponse(request, "admin/import.html", context)
