"""The board's quarterly report: `flask insight report --quarter 2026Q4` writes a PDF and a CSV.

Both hold the same suppressed figures as /staff/insight (and a few more for the papers: route,
topic and area), and a plain-language note on what the figures can and cannot show. In English,
the board's working language.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from web.clock import now
from web.content import content
from web.staff.figures import Counts, Quarter, compare
from web.staff.insight import Figure, figures
from web.staff.views import neutralise

FEWER = "fewer than 5"
NOTE_TITLE = "What these figures can and cannot show"
NOTE = (
    "They count events, not people. Someone who texts on two days and reaches an answer both "
    "times is counted twice; one person reading three pages counts three times.",
    "They count only what Lantern saw: people who reached an answer by text, web chat or phone, "
    "searched the directory, read a page or answered “Was this page helpful?”. People who gave "
    "up before an answer, or went straight to a service, are not here.",
    "Who was writing, the topic and the area are what Lantern read into the messages. The "
    "reader can be wrong, and “Not said” means it could not tell. An area is a council area "
    "from Lantern’s own list, never a postcode.",
    "Any number under 5 reads “fewer than 5”. Where a total could give such a number away, the "
    "next smallest number is hidden too. Hidden numbers are still included in the totals.",
    "Times are London times. Office hours are Monday to Friday, 9am to 5pm, not bank holidays. "
    "Hours are only ever shown added up over a whole quarter, never for a single day.",
    "Nothing here can identify anyone: Lantern keeps no messages, searches, phone numbers, "
    "addresses or records of single conversations, only daily counts.",
    "A change between quarters may come from publicity, school holidays or the season rather "
    "than a change in need. Small differences are best not read into.",
)


def _report_figures(quarter: Quarter) -> list[Figure]:
    """Return the page's figures plus route, topic and area, for the papers."""
    main = figures(quarter, "en_GB", "en")
    from web.insight import insight_store

    before = quarter.previous()
    rows = insight_store().counts(before.start, quarter.end)
    this, last = Counts(quarter, rows), Counts(before, rows)
    periods = {str(quarter): str(quarter), str(before): str(before)}
    areas = {a.id: a.name for a in content().directory.areas.values()}
    areas["unknown"] = "Not said"
    extra = []
    for dimension, title, description, labels in (
        ("route", "Answers given", "People who reached an answer, by the answer given.", {}),
        ("topic", "Topics", "People who reached an answer, by the topic read into it.", {}),
        ("area", "Areas", "People who reached an answer, by council area.", areas),
    ):
        table = compare(dimension, "answer", dimension, this, last)
        names = {r: labels.get(r, r.replace("_", " ").capitalize()) for r in table.rows}
        extra.append(Figure(dimension, title, description, table, names, periods, "bars"))
    return [*main, *extra]


def _cell(value: int | None) -> str:
    return FEWER if value is None else str(value)


def _rows(figure: Figure) -> Iterator[list[str]]:
    """Yield a figure's table as rows of text: a header, the cells, the totals."""
    table = figure.table
    with_totals = figure.chart in ("hours", "split")
    header = ["", *(str(figure.columns.get(c, c)) for c in table.columns)]
    yield [*header, "Total"] if with_totals else header
    for i, row in enumerate(table.rows):
        cells = [str(figure.labels.get(row, row)), *(_cell(v) for v in table.cells[i])]
        yield [*cells, _cell(table.row_totals[i])] if with_totals else cells
    if figure.key != "answers":
        totals = ["Total", *(_cell(v) for v in table.column_totals)]
        yield [*totals, _cell(table.total)] if with_totals else totals


def write_csv(path: Path, quarter: Quarter, items: list[Figure]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["section", "row", "column", "value"])
        writer.writerow(
            ["report", f"Lantern insight {quarter} against {quarter.previous()}", "", ""]
        )
        for line in NOTE:
            writer.writerow(["note", neutralise(line), "", ""])
        for figure in items:
            rows = list(_rows(figure))
            header = rows[0]
            for row in rows[1:]:
                for column, value in zip(header[1:], row[1:], strict=True):
                    writer.writerow(
                        [
                            neutralise(str(figure.title)),
                            neutralise(row[0]),
                            neutralise(column),
                            value,
                        ]
                    )


def _weekly_chart(figure: Figure) -> Drawing:
    """Draw the weekly figure as bars; a withheld week is drawn empty and labelled "<5"."""
    table = figure.table
    values = [row[0] for row in table.cells]
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 40 * mm
    chart.data = [[v or 0 for v in values]]
    chart.categoryAxis.categoryNames = [str(figure.labels.get(r, r)) for r in table.rows]
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1d4e89")
    chart.barLabels.fontSize = 6
    chart.barLabelFormat = "values"  # the labels below, so a withheld week reads "<5", not 0
    chart.barLabels.nudge = 5
    chart.barLabelArray = [["<5" if v is None else str(v) for v in values]]
    drawing.add(chart)
    return drawing


def write_pdf(path: Path, quarter: Quarter, items: list[Figure]) -> None:
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = [
        Paragraph(f"Lantern insight: {quarter} against {quarter.previous()}", styles["Title"]),
        Paragraph(
            f"For the safeguarding partnership board. Made {now().date().isoformat()} from "
            "daily counters; every number under 5 is withheld.",
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(NOTE_TITLE, styles["Heading2"]),
        *(Paragraph(f"• {line}", body) for line in NOTE),
    ]
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    for figure in items:
        rows = list(_rows(figure))
        if figure.key == "hours":  # eight columns of "fewer than 5" do not fit a page
            rows = [[r[0], *(c.replace(FEWER, "<5") for c in r[1:])] for r in rows]
        if len(rows) < 2:
            continue
        table = Table(rows, repeatRows=1, hAlign="LEFT")
        table.setStyle(grid)
        parts = [Paragraph(str(figure.title), styles["Heading2"])]
        parts.append(Paragraph(str(figure.description), body))
        if figure.key == "hours":
            parts.append(Paragraph("“<5” means fewer than 5.", body))
        if figure.key == "weeks":
            parts.append(_weekly_chart(figure))
        story.append(KeepTogether([*parts, Spacer(1, 2 * mm), table]))
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=f"Lantern insight {quarter}",
        author="Lantern",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    document.build(story)


def write_report(quarter: Quarter, out_dir: Path) -> tuple[Path, Path]:
    """Write the quarter's report as PDF and CSV into out_dir; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf, table = (
        out_dir / f"lantern-insight-{quarter}.pdf",
        out_dir / f"lantern-insight-{quarter}.csv",
    )
    with current_app.test_request_context("/"), force_locale("en_GB"):
        items = _report_figures(quarter)
        write_csv(table, quarter, items)
        write_pdf(pdf, quarter, items)
    return pdf, table
