"""Printing shared by every package that draws paper: QR symbols (``qr``: rows, PNG, SVG) and the
reportlab pieces of a PDF page (``pdf``: the bundled Vietnamese fonts, text measuring and
wrapping, a QR drawn as vector rectangles). Pure functions, no ORM: traceability's stamp sheets
and the fairs' booth signs draw with the same code."""
