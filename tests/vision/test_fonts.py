"""The generator's fonts come from installed packages, or from LPR_FONT_DIRS first."""

import shutil

from training.synth import fonts


def test_lpr_font_dirs_are_searched_before_the_system_folders(tmp_path, monkeypatch):
    name, installed = next(
        (n, p) for n in fonts.ROLES["condensed_bold"] if (p := fonts.find_font(n)) is not None
    )
    shutil.copy2(installed, tmp_path / name)
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path))
    fonts._index.cache_clear()
    try:
        assert fonts.find_font(name) == tmp_path / name
    finally:
        monkeypatch.delenv(fonts.FONT_DIRS_ENV)
        fonts._index.cache_clear()
    assert fonts.find_font(name) == installed


def test_every_installed_us_plate_face_draws_every_latin_plate_character():
    # A face without a glyph draws a blank or a box, and its plates would teach the
    # reader that a blank is a letter.
    from training.synth.plates.common import _ttf_glyph

    faces = fonts.role_fonts("us_plate")
    assert faces
    for path in faces:
        for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            g = _ttf_glyph(path, ch)
            assert g.width > 1 and g.height > 10, f"{path.name} draws no {ch!r}"
