"""A report's tables as a CSV file for a spreadsheet: the page's figures, as the page writes them.

One header line (``Tabla``, ``Fila``, then the figures' headings as on the page), then one
line per row of each table, its total last. Comma-separated, decimals with a point (as Mexico
writes them, so Excel set to es-MX reads numbers), UTF-8 with a byte-order mark so Excel
reads the accents; a figure with no base (a rate of no call) is empty::

    csv_response(tables, "reporte-llamadas-2026-03-02_2026-03-02.csv")
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fastapi.responses import Response

from agent_console.report_tables import Table


def csv_text(tables: Sequence[Table]) -> str:
    """The tables as CSV text (tables of one report share their figures' headings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    heads = [column.head for column in tables[0].heads] if tables else []
    writer.writerow(["Tabla", "Fila", *heads])
    for table in tables:
        rows = [*table.rows, *([table.total] if table.total else [])]
        writer.writerows([table.title, row.label, *row.cells] for row in rows)
    return buffer.getvalue()


def csv_response(tables: Sequence[Table], filename: str) -> Response:
    """The tables as a CSV download named ``filename``."""
    return Response(
        csv_text(tables).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
