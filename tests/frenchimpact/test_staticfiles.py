from django.core.files.base import ContentFile

from frenchimpact.staticfiles import (
    INLINE_SVG_MAX_BYTES,
    PortalStaticFilesStorage,
    svg_data_uri,
)

ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">\n'
    '  <path d="M10 6v2H5v11h11v-5h2v6a1 1 0 0 1-1 1H4z"/>\n</svg>\n'
)


def test_svg_data_uri_is_compact_and_safe_in_a_css_url():
    uri = svg_data_uri(ICON)

    assert uri.startswith("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/")
    assert "M10 6v2H5v11h11v-5h2v6a1 1 0 0 1-1 1H4z" in uri
    for character in '"()#<>\n':
        assert character not in uri


def collect(tmp_path, files):
    storage = PortalStaticFilesStorage(location=tmp_path, base_url="/static/")
    for name, content in files.items():
        storage.save(name, ContentFile(content.encode()))
    list(storage.post_process({name: (storage, name) for name in files}))
    return storage


def test_the_dsfr_stylesheet_gets_its_small_icons_inlined(tmp_path):
    big = "<svg>" + "<g/>" * INLINE_SVG_MAX_BYTES + "</svg>"
    storage = collect(
        tmp_path,
        {
            "dsfr/dist/icons/system/close-line.svg": ICON,
            "dsfr/dist/icons/big.svg": big,
            "dsfr/dist/dsfr.main.min.css": (
                ".fr-btn--close::before{mask-image:url(icons/system/close-line.svg)}"
                ".fr-big::before{mask-image:url(icons/big.svg)}"
            ),
            "css/other.css": ".x{background:url(../dsfr/dist/icons/big.svg)}",
        },
    )

    css = storage.open(storage.stored_name("dsfr/dist/dsfr.main.min.css")).read()
    css = css.decode()
    assert f'mask-image:url("{svg_data_uri(ICON)}")' in css
    # too big to inline: fingerprinted like any other file
    big_url = storage.stored_name("dsfr/dist/icons/big.svg").split("/")[-1]
    assert f'url("icons/{big_url}")' in css
    # only the listed stylesheets are rewritten
    other = storage.open(storage.stored_name("css/other.css")).read().decode()
    assert "data:" not in other
    assert big_url in other
