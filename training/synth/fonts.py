"""Font lookup for the synthetic plate renderer.

Fonts come only from installed packages (Debian font packages, or matplotlib's
bundled DejaVu as a last resort), so the data engine never downloads anything.
Each *role* lists file names in order of preference; a role resolves to every
listed file that is installed, so a renderer can pick among them for variety.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import numpy as np
from PIL import ImageFont

log = logging.getLogger(__name__)

# Debian packages that provide the files named in ROLES (for setup scripts).
FONT_PACKAGES: list[str] = [
    "fonts-dejavu-core",
    "fonts-liberation2",
    "fonts-noto-core",
    "fonts-freefont-ttf",
    "fonts-urw-base35",
    "fonts-roboto-unhinted",
    "fonts-league-spartan",
    "fonts-b612",
    "fonts-kacst",
    "fonts-kacst-one",
    "fonts-hosny-amiri",
    "fonts-open-sans",
]

FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Extra folders searched first (os.pathsep-separated): the same font files on a machine
# where the Debian packages cannot be installed, e.g. a GPU machine (scripts/device_pack.sh).
FONT_DIRS_ENV = "LPR_FONT_DIRS"

ROLES: dict[str, tuple[str, ...]] = {
    # Registration characters: real plate typefaces (FE-Schrift, Charles Wright,
    # Penitentiary Gothic, FE-Mercosur) are condensed bold sans faces.
    "condensed_bold": (
        "DejaVuSansCondensed-Bold.ttf",
        "RobotoCondensed-Bold.ttf",
        "RobotoCondensed-Medium.ttf",
        "LiberationSansNarrow-Bold.ttf",
        "NimbusSansNarrow-Bold.otf",
        "OpenSans-CondBold.ttf",
        "LeagueSpartan-Bold.otf",
        "B612-Bold.otf",
        "FreeSansBold.ttf",
        "LiberationSans-Bold.ttf",
    ),
    "arabic": (
        "NotoSansArabic-Bold.ttf",
        "NotoKufiArabic-Bold.ttf",
        "NotoNaskhArabic-Bold.ttf",
        "Amiri-Bold.ttf",
        "KacstOne-Bold.ttf",
        "KacstBook.ttf",
    ),
    # US state names are often a script or italic face.
    "script": (
        "Z003-MediumItalic.otf",
        "URWBookman-DemiItalic.otf",
        "NimbusSans-BoldItalic.otf",
        "C059-BdIta.otf",
        "P052-BoldItalic.otf",
        "DejaVuSans-BoldOblique.ttf",
        "FreeSansBoldOblique.ttf",
        "LiberationSerif-BoldItalic.ttf",
    ),
    # Slogans, city lines, country codes, state names in block letters.
    "small": (
        "DejaVuSans-Bold.ttf",
        "LiberationSans-Bold.ttf",
        "NimbusSans-Bold.otf",
        "RobotoCondensed-Bold.ttf",
        "OpenSans-Bold.ttf",
        "FreeSansBold.ttf",
        "URWGothic-Demi.otf",
    ),
    "serif": (
        "NimbusRoman-Bold.otf",
        "C059-Bold.otf",
        "P052-Bold.otf",
        "DejaVuSerif-Bold.ttf",
        "LiberationSerif-Bold.ttf",
    ),
}

_FALLBACK = "DejaVuSans-Bold.ttf"


def _matplotlib_font_dir() -> Path | None:
    try:
        import matplotlib
    except ImportError:
        return None
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.cache
def _index() -> dict[str, Path]:
    """File name -> path of every font file found (LPR_FONT_DIRS, then system dirs, then matplotlib)."""
    found: dict[str, Path] = {}
    extra = [Path(d) for d in os.environ.get(FONT_DIRS_ENV, "").split(os.pathsep) if d]
    dirs = extra + list(FONT_DIRS)
    mpl = _matplotlib_font_dir()
    if mpl is not None:
        dirs.append(mpl)
    for root in dirs:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.lower().endswith((".ttf", ".otf")):
                    found.setdefault(name, Path(dirpath) / name)
    return found


def find_font(filename: str) -> Path | None:
    return _index().get(filename)


@functools.cache
def role_fonts(role: str) -> tuple[Path, ...]:
    """Installed fonts for a role, in preference order; never empty if matplotlib is installed."""
    if role not in ROLES:
        raise KeyError(f"unknown font role {role!r}; known: {sorted(ROLES)}")
    paths = tuple(p for p in (find_font(n) for n in ROLES[role]) if p is not None)
    if paths:
        return paths
    fallback = find_font(_FALLBACK)
    if fallback is None:
        raise FileNotFoundError(
            f"no font for role {role!r} and no {_FALLBACK}; install {' '.join(FONT_PACKAGES)} or matplotlib"
        )
    log.warning(
        "no %s font installed (apt packages: %s); using %s", role, " ".join(FONT_PACKAGES), fallback
    )
    return (fallback,)


def pick_font(rng: np.random.Generator, role: str) -> Path:
    fonts = role_fonts(role)
    return fonts[int(rng.integers(len(fonts)))]


@functools.lru_cache(maxsize=512)
def get_font(path: Path | str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), max(int(size), 1))
