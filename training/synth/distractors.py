"""Things a plate detector fires on in real photos, drawn so it learns they are not plates.

Measured false positives on real frames: brand emblems, chrome model-name
lettering, dealer frames, street lamps, window grids, specular streaks,
headlights, stickers and parking-level signs. Each is drawn here at plate
scale and is never labelled. The plate's surroundings (the bumper recess
and holder frame) live here too: they sit just outside the label box, so
the detector learns to box the plate rather than its recess.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw

from training.synth.fonts import get_font, pick_font

AA = cv2.LINE_AA
MODEL_NAMES = [
    "SANDERO",
    "COROLLA",
    "CIVIC",
    "GOLF",
    "POLO",
    "1.6 16V",
    "TURBO",
    "FLEX",
    "GTI",
    "TDI",
    "HYBRID",
    "ONIX",
    "GOL",
    "CLIO",
    "FOCUS",
    "YARIS",
    "1.0 TSI",
    "4MATIC",
    "XLE",
    "SPORT",
]
BADGE_WORDS = ["Ford", "Fiat", "Kia", "Opel", "Auto", "Rover", "Dacia"]
LEVEL_SIGNS = ["G1", "G2", "P1", "P2", "-1", "-2", "L3", "B1", "P", "E", "U2"]
DEALER_LINES = [
    "AUTO CENTER",
    "CITY MOTORS",
    "WWW.CARS.COM",
    "SERVICE 24H",
    "MOTORS",
    "TOYOTA DEALER",
    "AUTOHAUS",
    "CONCESSIONARIA",
    "FINANCE",
]


def _ipt(p) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _colour(values) -> tuple[int, ...]:
    return tuple(int(v) for v in np.clip(values, 0, 255))


def _metal(rng: np.random.Generator) -> tuple[int, ...]:
    """Chrome reads as light grey in most photos; gold trim now and then."""
    if rng.random() < 0.15:
        return _colour([60, 170, 210] + rng.normal(0, 10, 3))
    return _colour(rng.uniform(150, 245) + rng.normal(0, 6, 3))


# ---------------------------------------------------------------- compositing


def _blend(canvas: np.ndarray, x0: int, y0: int, alpha: np.ndarray, colour) -> None:
    """Blend `colour` (a BGR triple or an HxWx3 array) into canvas at (x0, y0) through `alpha`."""
    h, w = alpha.shape
    cx1, cy1 = max(x0, 0), max(y0, 0)
    cx2, cy2 = min(x0 + w, canvas.shape[1]), min(y0 + h, canvas.shape[0])
    if cx2 <= cx1 or cy2 <= cy1:
        return
    a = alpha[cy1 - y0 : cy2 - y0, cx1 - x0 : cx2 - x0, None]
    if isinstance(colour, np.ndarray) and colour.ndim == 3:
        colour = colour[cy1 - y0 : cy2 - y0, cx1 - x0 : cx2 - x0]
    region = canvas[cy1:cy2, cx1:cx2].astype(np.float32)
    canvas[cy1:cy2, cx1:cx2] = np.clip(region * (1 - a) + np.asarray(colour) * a, 0, 255).astype(
        np.uint8
    )


def _add_light(canvas: np.ndarray, x0: int, y0: int, light: np.ndarray) -> None:
    """Add an HxW light map (0-255) to canvas: highlights brighten, they never paint over."""
    _blend(canvas, x0, y0, np.clip(light / 255, 0, 1), np.full(3, 255, np.float32))


def _text_mask(rng: np.random.Generator, text: str, height: int, role: str) -> np.ndarray:
    """Coverage (0-1) of `text` set in a font of `role`, cropped to the ink."""
    font = get_font(pick_font(rng, role), max(6, height))
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("L", (max(right - left, 1) + 2, max(bottom - top, 1) + 2), 0)
    ImageDraw.Draw(img).text((1 - left, 1 - top), text, font=font, fill=255)
    return np.asarray(img, np.float32) / 255


def _fit_width(mask: np.ndarray, max_width: float) -> np.ndarray:
    if mask.shape[1] <= max_width:
        return mask
    scale = max_width / mask.shape[1]
    size = (max(1, int(mask.shape[1] * scale)), max(1, int(mask.shape[0] * scale)))
    return cv2.resize(mask, size, interpolation=cv2.INTER_AREA)


def _stamp_text(canvas, mask: np.ndarray, cx: float, cy: float, colour) -> None:
    h, w = mask.shape
    _blend(canvas, int(cx - w / 2), int(cy - h / 2), mask, colour)


# ---------------------------------------------------------------- camera overlays

OVERLAY_NAMES = ["CAM 01", "Camera 02", "IPC", "DS-2CD2", "ENTRY", "EXIT", "GATE 1", "LANE 2"]


def _overlay_line(rng: np.random.Generator) -> str:
    """A date, a time and maybe a camera name, as security cameras print them."""
    y, mo, d = int(rng.integers(2008, 2031)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    hh, mm, ss = (int(v) for v in rng.integers(0, [24, 60, 60]))
    date = [
        f"{y}-{mo:02d}-{d:02d}",
        f"{mo:02d}/{d:02d}/{y}",
        f"{d:02d}.{mo:02d}.{y}",
        f"{y}{mo:02d}{d:02d}",
    ]
    parts = [date[int(rng.integers(len(date)))], f"{hh:02d}:{mm:02d}:{ss:02d}"]
    if rng.random() < 0.5:
        parts.insert(int(rng.integers(3)), str(rng.choice(OVERLAY_NAMES)))
    return (" " * int(rng.integers(1, 3))).join(parts)


def camera_overlay(rng: np.random.Generator, canvas, cx: float, cy: float, height: float) -> None:
    """A camera's date-and-time line printed on the picture (white or yellow, dark edge).

    Real frames carry one along an edge (the scene tiles draw it along the top), and a
    detector that never saw one boxed it as a plate of digits (4 of real-dev's 22
    false positives).
    """
    mask = _fit_width(_text_mask(rng, _overlay_line(rng), int(height), "small"), canvas.shape[1])
    edge = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    colour = (255, 255, 255) if rng.random() < 0.75 else (40, 230, 250)
    _stamp_text(canvas, edge * rng.uniform(0.5, 1.0), cx, cy, (0, 0, 0))
    _stamp_text(canvas, mask, cx, cy, colour)


# ---------------------------------------------------------------- car badges


def chrome_lettering(rng: np.random.Generator, canvas, cx: float, cy: float, height: float) -> None:
    """A model name on the body: metallic grey letters with a drop shadow, no plate behind."""
    text = str(rng.choice(MODEL_NAMES))
    mask = _text_mask(rng, text, int(height), "small" if rng.random() < 0.6 else "condensed_bold")
    h, w = mask.shape
    # Chrome shines at the top and bottom edges and goes dark across the middle.
    ramp = np.interp(
        np.linspace(0, 1, h), [0, 0.5, 1], [rng.uniform(170, 250), rng.uniform(50, 130), 200]
    )
    metal = np.repeat(ramp[:, None, None], w, axis=1) * (1 + rng.normal(0, 0.04, 3))
    x0, y0 = int(cx - w / 2), int(cy - h / 2)
    _blend(canvas, x0 + 1, y0 + 1, mask * 0.6, (20, 20, 20))
    _blend(canvas, x0, y0, mask, metal.astype(np.float32))


def emblem(rng: np.random.Generator, canvas, cx: float, cy: float, size: float) -> None:
    """A brand badge about `size` px across, in one of the shapes that fooled the detector."""
    kind = rng.choice(["ring_letters", "star", "ellipses", "oval_script", "red_rect", "chevrons"])
    r = max(4.0, size / 2)
    metal = _metal(rng)
    thick = max(1, int(r / 7))
    {
        "ring_letters": _ring_letters,
        "star": _star,
        "ellipses": _ellipses,
        "oval_script": _oval_script,
        "red_rect": _red_rect,
        "chevrons": _chevrons,
    }[str(kind)](rng, canvas, np.array([cx, cy]), r, metal, thick)


def _ring_letters(rng, canvas, c, r, metal, thick) -> None:
    fill = _colour([150, 70, 20] if rng.random() < 0.6 else rng.integers(20, 80, 3))
    cv2.circle(canvas, _ipt(c), int(r), fill, -1, AA)
    cv2.circle(canvas, _ipt(c), int(r), metal, thick, AA)
    v = np.array([[-0.45, -0.7], [0, 0.15], [0.45, -0.7]])
    w = np.array([[-0.75, -0.35], [-0.4, 0.7], [0, -0.05], [0.4, 0.7], [0.75, -0.35]])
    lines = [np.int32([_ipt(c + p * r) for p in shape]) for shape in (v, w)]
    cv2.polylines(canvas, lines, False, metal, thick, AA)


def _star(rng, canvas, c, r, metal, thick) -> None:
    cv2.circle(canvas, _ipt(c), int(r), metal, thick, AA)
    for deg in (-90, 30, 150):
        a = np.deg2rad(deg)
        tip, side = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
        tri = [c + tip * r * 0.92, c + side * r * 0.14, c - side * r * 0.14]
        cv2.fillPoly(canvas, [np.int32([_ipt(p) for p in tri])], metal, AA)


def _ellipses(rng, canvas, c, r, metal, thick) -> None:
    cv2.ellipse(canvas, _ipt(c), (int(r), int(r * 0.68)), 0, 0, 360, metal, thick, AA)
    cv2.ellipse(canvas, _ipt(c), (int(r * 0.3), int(r * 0.6)), 0, 0, 360, metal, thick, AA)
    top = c - [0, r * 0.32]
    cv2.ellipse(canvas, _ipt(top), (int(r * 0.62), int(r * 0.22)), 0, 0, 360, metal, thick, AA)


def _oval_script(rng, canvas, c, r, metal, thick) -> None:
    cv2.ellipse(canvas, _ipt(c), (int(r), int(r * 0.45)), 0, 0, 360, (120, 50, 10), -1, AA)
    cv2.ellipse(canvas, _ipt(c), (int(r), int(r * 0.45)), 0, 0, 360, metal, thick, AA)
    mask = _text_mask(rng, str(rng.choice(BADGE_WORDS)), int(r * 0.6), "script")
    _stamp_text(canvas, _fit_width(mask, r * 1.5), c[0], c[1], (245, 245, 245))


def _red_rect(rng, canvas, c, r, metal, thick) -> None:
    half = np.array([r, r * rng.uniform(0.45, 0.8)])
    p1, p2 = _ipt(c - half), _ipt(c + half)
    cv2.rectangle(canvas, p1, p2, _colour([30, 30, 170] + rng.normal(0, 15, 3)), -1)
    cv2.rectangle(canvas, p1, p2, metal, thick, AA)
    mask = _text_mask(rng, str(rng.choice(BADGE_WORDS)).upper(), int(half[1] * 1.0), "small")
    _stamp_text(canvas, _fit_width(mask, r * 1.6), c[0], c[1], metal)


def _chevrons(rng, canvas, c, r, metal, thick) -> None:
    band = r * 0.28
    for dy in (-0.35 * r, 0.3 * r):
        top = c + [0, dy - band]
        shape = [top, top + [r, band], top + [r, 2 * band], top + [0, band], top + [-r, 2 * band]]
        shape.append(top + [-r, band])
        cv2.fillPoly(canvas, [np.int32([_ipt(p) for p in shape])], metal, AA)


# ---------------------------------------------------------------- lights and glare


def _glow_ellipse(canvas, cx, cy, axes, angle, brightness: float, spread: float) -> None:
    """A bright ellipse with a soft halo, added as light (lamps, headlights, streaks)."""
    pad = int(max(axes) * 0.3 + spread * 3) + 2
    x0, y0 = int(cx - max(axes) - pad), int(cy - max(axes) - pad)
    size = 2 * (int(max(axes)) + pad) + 1
    light = np.zeros((size, size), np.float32)
    centre = (int(cx - x0), int(cy - y0))
    cv2.ellipse(light, centre, tuple(max(1, int(a)) for a in axes), angle, 0, 360, brightness, -1)
    if spread > 0.3:
        light = np.maximum(light, cv2.GaussianBlur(light, (0, 0), spread) * 1.5)
    _add_light(canvas, x0, y0, light)


def street_lamp(rng: np.random.Generator, canvas, cx: float, cy: float, length: float) -> None:
    """An elongated bright lamp head on a dark pole, as seen against the sky."""
    angle = rng.uniform(-15, 15)
    axes = (length / 2, length / 2 * rng.uniform(0.15, 0.4))
    end = (cx + np.sign(rng.normal()) * axes[0], cy)
    foot = (end[0] + rng.uniform(-0.3, 0.3) * length, cy + length * rng.uniform(1, 4))
    cv2.line(
        canvas, _ipt(end), _ipt(foot), _colour(rng.integers(20, 80, 3)), max(1, int(axes[1] / 3))
    )
    cv2.ellipse(
        canvas,
        _ipt((cx, cy)),
        _ipt((axes[0] * 1.1, axes[1] * 1.5)),
        angle,
        0,
        360,
        (40, 40, 45),
        -1,
    )
    _glow_ellipse(canvas, cx, cy, axes, angle, rng.uniform(180, 255), rng.uniform(0, axes[1]))


def headlight(rng: np.random.Generator, canvas, cx: float, cy: float, width: float) -> None:
    axes = (width / 2, width / 2 * rng.uniform(0.3, 0.7))
    _glow_ellipse(canvas, cx, cy, axes, rng.uniform(-10, 10), rng.uniform(150, 255), width / 4)


def specular_streak(rng: np.random.Generator, canvas, cx: float, cy: float, length: float) -> None:
    """A highlight along a bumper or body crease: long, thin, soft, nearly level."""
    axes = (length / 2, max(1.0, length * rng.uniform(0.01, 0.06)))
    _glow_ellipse(
        canvas, cx, cy, axes, rng.normal(0, 8), rng.uniform(80, 220), axes[1] * rng.uniform(0.5, 2)
    )


# ---------------------------------------------------------------- scenery


def facade(rng: np.random.Generator, canvas, cx: float, cy: float, size: float) -> None:
    """A building front with a grid of windows: rows of bright-edged rectangles."""
    w, h = size, size * rng.uniform(0.5, 1.2)
    x, y = cx - w / 2, cy - h / 2
    wall = _colour(rng.integers(60, 230, 3))
    cv2.rectangle(canvas, _ipt((x, y)), _ipt((x + w, y + h)), wall, -1)
    rows, cols = int(rng.integers(2, 7)), int(rng.integers(2, 9))
    glass = _colour(rng.integers(10, 120, 3))
    frame = _colour(np.array(wall) * rng.uniform(0.5, 1.4))
    cell_w, cell_h = w / cols, h / rows
    fill = rng.uniform(0.45, 0.8)
    for i in range(rows):
        for j in range(cols):
            p1 = (x + (j + (1 - fill) / 2) * cell_w, y + (i + (1 - fill) / 2) * cell_h)
            p2 = (p1[0] + fill * cell_w, p1[1] + fill * cell_h)
            cv2.rectangle(canvas, _ipt(p1), _ipt(p2), glass, -1)
            cv2.rectangle(canvas, _ipt(p1), _ipt(p2), frame, max(1, int(cell_w / 15)))


def sticker(rng: np.random.Generator, canvas, cx: float, cy: float, size: float) -> None:
    """A cartoon face sticker: a round figure with eyes and a grin on a coloured badge."""
    r = max(4, int(size / 2))
    c = _ipt((cx, cy))
    cv2.circle(canvas, c, r, _colour(rng.integers(0, 256, 3)), -1, AA)
    face = int(r * rng.uniform(0.6, 0.85))
    cv2.circle(canvas, c, face, _colour([30, 210, 240] + rng.normal(0, 20, 3)), -1, AA)
    for side in (-1, 1):
        cv2.circle(
            canvas,
            _ipt((cx + side * face * 0.35, cy - face * 0.25)),
            max(1, face // 6),
            (0, 0, 0),
            -1,
            AA,
        )
    cv2.ellipse(
        canvas,
        c,
        (int(face * 0.55), int(face * 0.45)),
        0,
        20,
        160,
        (0, 0, 0),
        max(1, face // 8),
        AA,
    )


# ---------------------------------------------------------------- plate surroundings


def grow_quad(quad: np.ndarray, along: float, across: float, shift: float = 0.0) -> np.ndarray:
    """`quad` scaled about its centre along the plate's own axes, so it stays level with it.

    `shift` moves it down by that fraction of the plate height (recesses are
    rarely centred on the plate).
    """
    centre = quad.mean(axis=0)
    u, v = quad[1] - quad[0], quad[3] - quad[0]
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    d = quad - centre
    du, dv = d @ u, d @ v
    height = np.linalg.norm(quad[3] - quad[0])
    return centre + np.outer(du * along, u) + np.outer(dv * across + shift * height, v)


def plate_recess(rng: np.random.Generator, canvas: np.ndarray, quad: np.ndarray) -> None:
    """The bumper recess or holder a plate sits in: a shaded rectangle 10-30 % larger.

    Drawn before the plate and outside its label, it teaches the detector
    that the box ends at the plate's rim and not at the recess.
    """
    recess = grow_quad(quad, rng.uniform(1.08, 1.3), rng.uniform(1.15, 1.6), rng.normal(0, 0.05))
    x1, y1 = np.clip(quad.min(axis=0).astype(int), 0, np.array(canvas.shape[1::-1]) - 1)
    x2, y2 = np.clip(quad.max(axis=0).astype(int) + 1, 1, canvas.shape[1::-1])
    local = (
        canvas[y1:y2, x1:x2].reshape(-1, 3).mean(axis=0)
        if x2 > x1 and y2 > y1
        else np.full(3, 128.0)
    )
    if rng.random() < 0.3:  # black plastic holder
        fill = rng.integers(10, 50, 3) + 0.0
    else:  # the body colour, in the recess's shadow or catching the light
        fill = local * (rng.uniform(0.35, 0.75) if rng.random() < 0.75 else rng.uniform(1.1, 1.35))
    pts = np.int32([_ipt(p) for p in recess])
    cv2.fillPoly(canvas, [pts], _colour(fill), AA)
    # The top inner edge is in shadow, the lower lip catches the light.
    cv2.line(
        canvas,
        _ipt(recess[0]),
        _ipt(recess[1]),
        _colour(fill * 0.5),
        max(1, int(np.ptp(recess[:, 1]) / 12)),
        AA,
    )
    cv2.line(canvas, _ipt(recess[3]), _ipt(recess[2]), _colour(fill * 1.4 + 20), 1, AA)
    if rng.random() < 0.35:
        _holder_frame(rng, canvas, quad)


def _holder_frame(rng: np.random.Generator, canvas: np.ndarray, quad: np.ndarray) -> None:
    """A thin plate-holder rim just outside the plate, with two screws on its top band."""
    frame = grow_quad(quad, rng.uniform(1.03, 1.08), rng.uniform(1.12, 1.3))
    colour = _metal(rng) if rng.random() < 0.4 else _colour(rng.integers(5, 40, 3))
    thick = max(1, int(np.linalg.norm(quad[3] - quad[0]) / 10))
    cv2.polylines(canvas, [np.int32([_ipt(p) for p in frame])], True, colour, thick, AA)
    if rng.random() < 0.5:
        top_band = (frame[0] + frame[1]) / 2 * 0.7 + (quad[0] + quad[1]) / 2 * 0.3
        along = (quad[1] - quad[0]) * 0.3
        for side in (-1, 1):
            cv2.circle(canvas, _ipt(top_band + side * along), max(1, thick), _metal(rng), -1, AA)
