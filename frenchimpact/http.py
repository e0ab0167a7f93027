"""Responses shared by the views."""

from django.http import FileResponse


def file_download(field_file, *, filename: str, content_type: str | None = None):
    """A stored file sent as an attachment (never displayed inline); the type
    is guessed from the name when not given."""
    return FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
