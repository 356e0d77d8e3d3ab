"""The shared stylesheet's rules that pages rely on."""

from __future__ import annotations


def test_row_headers_of_tables_keep_their_case(client):
    """Column headers are small capitals; a row header is a name and is written as typed."""
    response = client.get("/static/css/app.css")
    css = response.get_data(as_text=True)
    response.close()
    head = css.index(".table th {")
    rows = css.index(".table tbody th {")
    assert "text-transform: uppercase" in css[head : css.index("}", head)]
    assert head < rows and "text-transform: none" in css[rows : css.index("}", rows)]
