"""The status colours stay apart for colour-blind readers and in grey-scale print (issue 12, item 7)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cfc_sim.palette import RAG, RAG_TEXT

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
DEFICIENCIES = {
    "normal": np.eye(3),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _linear(colour: str) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("deficiency", list(DEFICIENCIES))
def test_green_amber_and_red_differ_for_every_colour_vision(deficiency: str) -> None:
    seen = {s: _lab(np.clip(DEFICIENCIES[deficiency] @ _linear(c), 0, 1)) for s, c in RAG.items()}
    for a, b in itertools.combinations(RAG, 2):
        assert np.linalg.norm(seen[a] - seen[b]) >= 40, (deficiency, a, b)  # CIELAB units: clearly different


def test_statuses_differ_in_lightness_so_grey_scale_print_keeps_them_apart() -> None:
    lightness = sorted(_lab(_linear(c))[0] for c in RAG.values())
    assert min(b - a for a, b in itertools.pairwise(lightness)) >= 20


def test_status_text_is_readable_on_its_colour() -> None:
    def luminance(colour: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(colour))

    for status, colour in RAG.items():
        lighter, darker = sorted((luminance(colour), luminance(RAG_TEXT[status])), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, status  # WCAG AA contrast
