"""CTC tokenizer shared by training, export and serving (blank = 0).

The charset travels inside every checkpoint and ONNX file, so a reader always
decodes with the alphabet it was trained on.
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np

BLANK = 0


def normalise_text(text: str) -> str:
    """Plate text as labels store it: NFC, upper case, no spaces, dashes, dots or underscores."""
    text = unicodedata.normalize("NFC", text).upper()
    return "".join(ch for ch in text if ch not in " -._|·\t\n")


class CTCTokenizer:
    def __init__(self, charset: str):
        if len(set(charset)) != len(charset):
            raise ValueError("charset has repeated characters")
        self.charset = charset
        self._index = {ch: i + 1 for i, ch in enumerate(charset)}

    @property
    def num_classes(self) -> int:
        return len(self.charset) + 1

    def encode(self, text: str) -> list[int]:
        unknown = [ch for ch in text if ch not in self._index]
        if unknown:
            raise ValueError(f"characters not in charset: {''.join(sorted(set(unknown)))!r}")
        return [self._index[ch] for ch in text]

    def decode_greedy(self, probs: np.ndarray) -> tuple[str, list[float]]:
        """Best path of one sequence of per-step probabilities [T, C]."""
        text, confs, _ = self._greedy_path(probs)
        return text, confs

    def candidates(self, probs: np.ndarray, top_n: int = 5) -> list[tuple[str, float]]:
        """Greedy text plus variants that swap the least sure characters for their runner-up.

        Exact CTC beam search is not worth its cost here: plates are short and the
        useful alternatives (O/0, B/8, I/1) are single-character swaps at the
        emitting step, which this enumerates in order of probability.
        """
        return self._variants(self._greedy_path(probs), top_n)

    def decode(
        self, probs: np.ndarray, top_n: int = 5
    ) -> tuple[str, list[float], list[tuple[str, float]]]:
        """`decode_greedy` and `candidates` of one sequence, from one pass over its steps."""
        path = self._greedy_path(probs)
        return path[0], path[1], self._variants(path, top_n)

    def _variants(
        self, path: tuple[str, list[float], list[tuple[str, float]]], top_n: int
    ) -> list[tuple[str, float]]:
        # math.prod, not np.prod: on a few floats np.prod costs microseconds a call, and a
        # read takes up to 16 products, which made up two thirds of its decoding.
        text, confs, alts = path
        best = (text, math.prod(confs) if confs else 0.0)
        if top_n <= 1 or not text:
            return [best]
        # Each position may keep its char or take the runner-up; try the few
        # positions where the runner-up is closest.
        order = sorted(range(len(text)), key=lambda i: -alts[i][1] / max(confs[i], 1e-9))[:4]
        variants = {best[0]: best[1]}
        for mask in range(1, 1 << len(order)):
            chars = list(text)
            score = list(confs)
            for bit, pos in enumerate(order):
                if mask >> bit & 1:
                    alt_char, alt_p = alts[pos]
                    if not alt_char:
                        break
                    chars[pos], score[pos] = alt_char, alt_p
            else:
                variant = "".join(chars)
                variants[variant] = max(variants.get(variant, 0.0), math.prod(score))
        ranked = sorted(variants.items(), key=lambda kv: -kv[1])
        return ranked[:top_n]

    def _greedy_path(self, probs: np.ndarray) -> tuple[str, list[float], list[tuple[str, float]]]:
        best = probs.argmax(axis=1)
        chars: list[str] = []
        confs: list[float] = []
        alts: list[tuple[str, float]] = []
        previous = BLANK
        for t, cls in enumerate(best):
            cls = int(cls)
            if cls != BLANK and cls != previous:
                chars.append(self.charset[cls - 1])
                confs.append(float(probs[t, cls]))
                alts.append(self._runner_up(probs[t], cls))
            elif cls != BLANK and cls == previous:
                # A repeated step of the same char: keep the surest step's probability.
                confs[-1] = max(confs[-1], float(probs[t, cls]))
            previous = cls
        return "".join(chars), confs, alts

    def _runner_up(self, step: np.ndarray, cls: int) -> tuple[str, float]:
        masked = step.copy()
        masked[cls] = -1.0
        masked[BLANK] = -1.0
        alt = int(masked.argmax())
        if masked[alt] <= 0:
            return "", 0.0
        return self.charset[alt - 1], float(step[alt])
