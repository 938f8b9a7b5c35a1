"""A small closed-loop HTTP load generator: client processes on raw sockets.

Each client process sends one request, reads the whole response, and sends the next,
until the phase ends. gunicorn's sync workers close the connection after every response,
so each request is a new TCP connection (for the app and its baseline alike). The client
speaks HTTP/1.1 with ``Connection: close`` over plain sockets: it costs far less CPU than
``http.client`` and its cost per request is the same for both sides of a ratio.

Processes, not threads: the machine may have two cores, and threads would be held back by
the GIL. The client's own CPU time is measured and reported, so that a run where the client
was the bottleneck shows it.
"""

import multiprocessing
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Builds one request: (method, path, headers, body) from the client's number and counter.
RequestFactory = Callable[[int, int], tuple[str, str, dict[str, str], bytes]]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    client_cpu_seconds: float
    statuses: dict[int, int]
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def client_cpu_share(self) -> float:
        """Client CPU seconds per wall second, over the machine's cores (0..1)."""
        cores = os.cpu_count() or 1
        return self.client_cpu_seconds / (self.seconds * cores) if self.seconds else 0.0


def raw_request(host: str, port: int, method: str, path: str, headers: dict, body: bytes):
    """One request on a new connection: (status, headers, body bytes, seconds)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(payload)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    elapsed = time.perf_counter() - started
    raw = b"".join(chunks)
    head, _sep, content = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1]) if head_lines and head_lines[0] else 0
    parsed: dict[str, list[str]] = {}
    for line in head_lines[1:]:
        name, _colon, value = line.partition(":")
        parsed.setdefault(name.strip().lower(), []).append(value.strip())
    if "chunked" in ",".join(parsed.get("transfer-encoding", [])):
        content = _dechunk(content)
    return status, parsed, content, elapsed


def _dechunk(data: bytes) -> bytes:
    out, rest = [], data
    while rest:
        size_line, _sep, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


def _client(
    number: int,
    base_url: str,
    factory: RequestFactory,
    expected: tuple[int, ...],
    start_at: float,
    seconds: float,
    queue,
) -> None:
    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port
    latencies, statuses, errors, first_error = [], {}, 0, ""
    counter = 0
    while time.time() < start_at:
        time.sleep(0.001)
    cpu_before = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        method, path, headers, body = factory(number, counter)
        counter += 1
        try:
            status, _headers, content, elapsed = raw_request(
                host, port, method, path, headers, body
            )
        except OSError as error:
            errors += 1
            first_error = first_error or repr(error)
            continue
        statuses[status] = statuses.get(status, 0) + 1
        if status not in expected:
            errors += 1
            if not first_error:
                first_error = f"status {status}: {content[:300]!r}"
            continue
        latencies.append(elapsed * 1000)
    queue.put((latencies, statuses, errors, first_error, time.process_time() - cpu_before))


def run_load(
    base_url: str,
    factory: RequestFactory,
    *,
    seconds: float,
    clients: int,
    expected: tuple[int, ...] = (200,),
) -> LoadResult:
    """Run *clients* processes sending requests from *factory* for *seconds*."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 0.2
    processes = [
        context.Process(
            target=_client,
            args=(n, base_url, factory, expected, start_at, seconds, queue),
            daemon=True,
        )
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    latencies = [ms for result in results for ms in result[0]]
    statuses: dict[int, int] = {}
    for result in results:
        for status, n in result[1].items():
            statuses[status] = statuses.get(status, 0) + n
    return LoadResult(
        requests=len(latencies),
        errors=sum(result[2] for result in results),
        seconds=seconds,
        latencies_ms=latencies,
        client_cpu_seconds=sum(result[4] for result in results),
        statuses=statuses,
        first_error=next((result[3] for result in results if result[3]), ""),
    )


def get(path: str, headers: dict[str, str] | None = None) -> RequestFactory:
    """The same GET over and over."""
    fixed = headers or {}

    def factory(_client: int, _counter: int):
        return "GET", path, fixed, b""

    return factory


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def session_for_form(base_url: str, path: str) -> tuple[str, str]:
    """GET a form page: (Cookie header value, CSRF token) a client posts it with."""
    parts = urlsplit(base_url)
    status, headers, content, _elapsed = raw_request(
        parts.hostname, parts.port, "GET", path, {}, b""
    )
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    cookies = "; ".join(c.split(";", 1)[0] for c in headers.get("set-cookie", []))
    match = CSRF_RE.search(content.decode())
    return cookies, match.group(1) if match else ""
