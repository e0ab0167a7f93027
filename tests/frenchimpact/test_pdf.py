import os
import threading
import time

import pytest
from pypdf import PdfReader

from frenchimpact import pdf
from frenchimpact.pdf import STATIC_BASE, RefusedResource, render_pdf, static_path


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.org/static/x.css",
        f"{STATIC_BASE}/media/candidacies/1/secret.pdf",
        f"{STATIC_BASE}/static/../../etc/passwd",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_renderer_refuses_anything_but_static_files(url):
    with pytest.raises(RefusedResource):
        static_path(url)


def test_renderer_serves_project_static_files():
    assert static_path(f"{STATIC_BASE}/static/css/portal.css").endswith("portal.css")


def test_pdf_embeds_marianne_and_fetches_nothing_hostile(tmp_path):
    from io import BytesIO

    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '<style>@font-face{font-family:Marianne;src:url("/static/dsfr/dist/fonts/'
        'Marianne-Regular.woff2")} body{font-family:Marianne}</style></head><body>'
        '<p>Territoire Lédonien</p><img src="file:///etc/passwd"></body></html>'
    )

    reader = PdfReader(BytesIO(render_pdf(html)))

    text = reader.pages[0].extract_text()
    assert "Territoire Lédonien" in text
    assert "root:" not in text
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Marianne" in name for name in fonts)


def test_renderer_takes_only_the_projects_inline_png():
    from territories.services import verification_qr_png

    png = verification_qr_png("https://example.org/labels/verifier/abc/")
    assert pdf.inline_png(pdf.png_data_url(png)) == png

    for url in [
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "data:image/png,%89PNG",  # not base64
        "data:image/png;base64,R0lGODlhAQABAAAAACw=",  # a GIF called a PNG
        "data:image/png;base64,@@@@",
        pdf.png_data_url(png + b"\0" * pdf.PNG_DATA_MAX_BYTES),
    ]:
        with pytest.raises(RefusedResource):
            pdf.inline_png(url)


def test_stylesheet_is_parsed_once_per_thread_and_again_when_changed(
    tmp_path, settings
):
    from django.contrib.staticfiles import finders

    folder = tmp_path / "static"
    (folder / "documents").mkdir(parents=True)
    sheet = folder / "documents" / "essai.css"
    sheet.write_text("body { color: #000091; }")
    settings.STATICFILES_DIRS = [str(folder)]
    finders.get_finder.cache_clear()
    pdf.forget_resources()
    try:
        first = pdf.stylesheet("documents/essai.css")
        assert pdf.stylesheet("documents/essai.css") is first

        sheet.write_text("body { color: #e1000f; }")
        os.utime(sheet, ns=(time.time_ns() + 10**9,) * 2)
        changed = pdf.stylesheet("documents/essai.css")
        assert changed is not first

        other_thread = []
        thread = threading.Thread(
            target=lambda: other_thread.append(pdf.stylesheet("documents/essai.css"))
        )
        thread.start()
        thread.join()
        assert other_thread[0] is not changed  # Pango's font map stays per thread
    finally:
        finders.get_finder.cache_clear()
        pdf.forget_resources()


def test_documents_render_the_same_with_a_warm_process():
    """The font configuration kept between documents still embeds Marianne
    in the second document and the next ones."""
    from io import BytesIO

    html = "<html><body><h1>Vague 1</h1><p>Territoire Lédonien</p></body></html>"
    pdf.forget_resources()
    texts, fonts = [], []
    for _ in range(3):
        reader = PdfReader(BytesIO(render_pdf(html)))
        page = reader.pages[0]
        texts.append(page.extract_text())
        fonts.append(
            {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
        )
    assert all("Territoire Lédonien" in text for text in texts)
    assert all(any("Marianne" in name for name in found) for found in fonts)
