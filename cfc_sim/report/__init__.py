"""The leaders' report of a results folder: one self-contained HTML page and an Excel workbook.

`views` holds what both formats show, `html_page` renders the page, `workbook` the Excel file. The
report reads only what a results folder holds (checked by `cfc_sim.results_reader`); it never runs or
reaches into the model. Both files are written atomically by `cfc_sim.output_folder`.
"""

from __future__ import annotations

from cfc_sim.report.html_page import render_html, write_html
from cfc_sim.report.workbook import write_xlsx

__all__ = ["render_html", "write_html", "write_xlsx"]
