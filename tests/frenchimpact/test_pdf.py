import pytest
from pypdf import PdfReader

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
