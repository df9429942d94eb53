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
