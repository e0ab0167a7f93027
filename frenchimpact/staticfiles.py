"""The static files storage: fingerprinted, compressed, DSFR icons inlined.

The DSFR stylesheet draws each icon with a ``mask-image: url(icon.svg)``,
so a page fetches every icon it shows as its own request (10 to 12 small
SVGs of 0.1 to 0.3 kB on a public page, each with its headers). When the
files are collected, the icons referenced by the stylesheets listed in
``INLINE_SVG_IN`` are written into the stylesheet as ``data:`` URIs: the
same images, no request. The icons keep their text alternatives, which are
in the HTML (``title``, visually hidden text), not in the image.
"""

import os
import posixpath
import re
from urllib.parse import quote, urldefrag

from whitenoise.storage import CompressedManifestStaticFilesStorage

# stylesheets whose small SVG images are inlined (those base.html loads)
INLINE_SVG_IN = frozenset({"dsfr/dist/dsfr.main.min.css"})
INLINE_SVG_MAX_BYTES = 2048
_SCHEME = re.compile(r"^[a-z]+:", re.I)


def svg_data_uri(svg: str) -> str:
    """A compact, percent-encoded ``data:`` URI of an SVG document."""
    svg = " ".join(svg.split()).replace('"', "'")
    return "data:image/svg+xml," + quote(svg, safe=" /:=',.;-")


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)
        source = name.replace(os.sep, "/")
        if source not in INLINE_SVG_IN:
            return convert

        def converter(matchobj):
            url = matchobj.groupdict().get("url") or ""
            path, fragment = urldefrag(url)
            if (
                path.endswith(".svg")
                and not fragment
                and not _SCHEME.match(path)
                and not path.startswith("/")
            ):
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(source), path)
                )
                if self.exists(target) and self.size(target) <= INLINE_SVG_MAX_BYTES:
                    with self.open(target) as file:
                        svg = file.read().decode("utf-8")
                    return f'url("{svg_data_uri(svg)}")'
            return convert(matchobj)

        return converter
