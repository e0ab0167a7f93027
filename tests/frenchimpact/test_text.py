import pytest

from frenchimpact.text import fold


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Territoire Lédonien", "territoire ledonien"),
        ("  ÉVRY-Courcouronnes ", "evry courcouronnes"),
        ("Clus'Ter Jura", "cluster jura"),
        ("Cœur d’Ostrevent", "coeur dostrevent"),
        ("<b>x</b>", "b x b"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded
