"""A Document as a printable PDF (fpdf2), A4, with an embedded DejaVu font for Vietnamese.

The font is Debian's fonts-dejavu-core when installed, else the copy matplotlib ships:
never downloaded at run time.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from radio.errors import RadioError
from radio.i18n import _
from radio.reports.document import Document, Table, cell_text

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _font_dir() -> Path:
    if (SYSTEM_FONTS / "DejaVuSans.ttf").exists() and (SYSTEM_FONTS / "DejaVuSans-Bold.ttf").exists():
        return SYSTEM_FONTS
    import matplotlib

    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if (bundled / "DejaVuSans.ttf").exists():
        return bundled
    raise RadioError(_("no DejaVu Sans font for the PDF (install fonts-dejavu-core)"))


class _Pdf(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(orientation="L" if doc.landscape else "P", unit="mm", format="A4")
        self.doc = doc
        fonts = _font_dir()
        self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        oblique = fonts / "DejaVuSans-Oblique.ttf"
        self.add_font("DejaVu", "I", str(oblique if oblique.exists() else fonts / "DejaVuSans.ttf"))
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(True, margin=15)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("DejaVu", "I", 7)
        self.cell(0, 5, f"{self.doc.title} — trang {self.page_no()}/{{nb}}", align="C")


def _table(pdf: _Pdf, table: Table) -> None:
    if table.caption:
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(0, 5, table.caption, new_x="LMARGIN", new_y="NEXT")
    widths = table.widths or [3 if k == "text" else 1 for k in table.kinds]
    pdf.set_font("DejaVu", "", 8)
    align = tuple("LEFT" if k in ("text", "time") else "RIGHT" for k in table.kinds)
    with pdf.table(
        col_widths=tuple(widths),
        text_align=align,
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247)),
        line_height=4.5,
        padding=1,
    ) as t:
        heading = t.row()
        for h in table.headings:
            heading.cell(h, align="CENTER")
        for values in table.rows:
            row = t.row()
            for v, k in zip(values, table.kinds):
                row.cell(cell_text(v, k))
        if table.total:
            row = t.row(style=FontFace(emphasis="BOLD"))
            for v, k in zip(table.total, table.kinds):
                row.cell(cell_text(v, k))
    if not table.rows:
        pdf.set_font("DejaVu", "I", 8)
        pdf.cell(0, 5, table.empty, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def document_pdf(doc: Document) -> bytes:
    pdf = _Pdf(doc)
    pdf.add_page()
    width = pdf.epw
    if doc.letterhead:
        left, right = doc.letterhead
        y = pdf.get_y()
        pdf.set_font("DejaVu", "B", 9)
        for n in range(max(len(left), len(right))):
            pdf.set_xy(pdf.l_margin, y + 5 * n)
            pdf.cell(width * 0.45, 5, left[n] if n < len(left) else "", align="C")
            pdf.cell(width * 0.55, 5, right[n] if n < len(right) else "", align="C")
        pdf.set_xy(pdf.l_margin, y + 5 * max(len(left), len(right)) + 4)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in doc.lines:
        pdf.multi_cell(0, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in doc.blocks:
        if isinstance(block, Table):
            _table(pdf, block)
        else:
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(0, 6, block, new_x="LMARGIN", new_y="NEXT")
    if doc.signatures:
        if pdf.get_y() > pdf.h - 55:
            pdf.add_page()
        pdf.ln(4)
        if doc.dateline:
            pdf.set_font("DejaVu", "I", 9)
            pdf.cell(0, 5, doc.dateline, align="R", new_x="LMARGIN", new_y="NEXT")
        col = width / len(doc.signatures)
        pdf.set_font("DejaVu", "B", 9)
        for role in doc.signatures:
            pdf.cell(col, 5, role, align="C")
        pdf.ln(5)
        pdf.set_font("DejaVu", "I", 8)
        for _role in doc.signatures:
            pdf.cell(col, 5, "(Ký, ghi rõ họ tên)", align="C")
        pdf.ln(25)
    return bytes(pdf.output())
