"""Baseline for the page figures: bare Flask rendering one Jinja page of a given size.

``BENCH_PAGE_BYTES`` is the size of the event page measured in the same run; the page
here is a template with a title, a few blocks in a loop and a filler paragraph, rendered
(autoescaped) on every request, so that it is the same number of bytes on the wire.
``/etag`` answers a matching If-None-Match with 304, as cheaply as Flask can.
"""

import os

from flask import Flask, Response, render_template_string, request

PAGE_BYTES = int(os.environ.get("BENCH_PAGE_BYTES", "10000"))

TEMPLATE = """<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{% for item in items %}<section><h2>{{ item.heading }}</h2><p>{{ item.text }}</p></section>
{% endfor %}<p>{{ filler }}</p></main></body></html>
"""

app = Flask(__name__)

ITEMS = [
    {"heading": f"Sezione {n}", "text": "Le comunità energetiche rinnovabili & le imprese."}
    for n in range(8)
]


def _render(filler: str) -> str:
    return render_template_string(TEMPLATE, title="Pagina di prova", items=ITEMS, filler=filler)


# The filler is sized once so that the rendered page has PAGE_BYTES bytes.
with app.app_context():
    _BASE = len(_render("").encode())
FILLER = "x" * max(PAGE_BYTES - _BASE, 0)


@app.get("/page")
def page():
    return _render(FILLER)


ETAG = "0123456789abcdef0123456789abcdef"


@app.get("/etag")
def etag():
    if ETAG in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", content_type="text/calendar")
    response.set_etag(ETAG)
    return response


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
