"""The HTTP and WebSocket checks of `make container-test`, run against the proxy only (stdlib only).

    python3 deploy/container_test.py ui    BASE_URL TOKEN
    python3 deploy/container_test.py job   BASE_URL TOKEN OUTDIR
    python3 deploy/container_test.py after-restart BASE_URL TOKEN OUTDIR

BASE_URL is the app's public URL without the trailing slash, e.g.
http://127.0.0.1:3000/hyperparameter-tuning/demo. Each command prints one line per check and
exits non-zero on the first failure. deploy/container-test.sh drives them.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import re
import socket
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

JOB_TIMEOUT_S = 20 * 60
RUN_NAME = "container_test_digits"
REQUEST = {
    "dataset_name": "digits",
    "run_name": RUN_NAME,
    "trials": 2,
    "max_epochs_per_trial": 2,
    "batch_size": 64,
    "plot_mode": "best",
}


class CheckFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def ok(message: str) -> None:
    print(f"  ok  {message}", flush=True)


def request(
    url: str, token: str | None = None, method: str = "GET", body: Any = None, timeout: float = 60
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request, no redirects followed: (status, lower-cased headers, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    headers = {"Accept-Encoding": "identity"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, bytes):
        data = body
        headers["Content-Type"] = "application/octet-stream"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, target, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def get_json(url: str, token: str) -> Any:
    status, _, body = request(url, token)
    check(status == 200, f"GET {url} -> {status}: {body[:300]!r}")
    return json.loads(body)


# ---- the UI ------------------------------------------------------------------------------------


def check_ui(base: str, token: str) -> None:
    prefix = urlsplit(base).path
    status, headers, _ = request(base)
    location = headers.get("location", "")
    check(status in (301, 302, 307, 308), f"GET {prefix} -> {status}, expected a redirect to {prefix}/")
    check(location.rstrip("?").endswith(f"{prefix}/"), f"GET {prefix} redirects to {location!r}")
    ok(f"{prefix} redirects to {prefix}/ ({status})")

    status, headers, page = request(f"{base}/")
    html = page.decode("utf-8", "replace")
    check(status == 200 and 'id="root"' in html, f"GET {prefix}/ -> {status}: {html[:200]!r}")
    check("text/html" in headers.get("content-type", ""), f"{prefix}/ is {headers.get('content-type')}")
    assets = sorted(set(re.findall(r'(?:src|href)="(?:\./)?(assets/[^"]+)"', html)))
    check(any(a.endswith(".js") for a in assets), f"no script under assets/ in the page: {html[:400]!r}")
    for asset in assets:
        status, headers, content = request(f"{base}/{asset}")
        check(status == 200 and content, f"GET {prefix}/{asset} -> {status}")
        kind = headers.get("content-type", "")
        if asset.endswith(".js"):
            check("javascript" in kind, f"{asset} served as {kind!r}")
    ok(f"UI page and its {len(assets)} assets load under {prefix}/")

    status, _, page = request(f"{base}/jobs/some-job")
    check(status == 200 and b'id="root"' in page, f"client route {prefix}/jobs/some-job -> {status}")
    ok("client-side routes get the UI page")

    status, _, _ = request(f"{base}/api/health")
    check(status == 401, f"GET {prefix}/api/health without the token -> {status}, expected 401")
    health = get_json(f"{base}/api/health", token)
    check(health.get("status") == "ok", f"health: {health}")
    ok(f"API: 401 without the token, health ok with it (version {health.get('version')})")

    check_upload(base, token)

    status, _, _ = request(f"{base}/docs")
    check(status == 200, f"GET {prefix}/docs -> {status}")
    ok("OpenAPI docs load under the prefix")


def noise_folder_zip(megabytes: int) -> tuple[bytes, int]:
    """A zipped image folder of two classes of random-noise PPM pictures (incompressible) of about
    `megabytes` MB, and how many pictures it holds."""
    side = 256
    count = megabytes * 2**20 // (side * side * 3) + 1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(count):
            archive.writestr(
                f"noise/{'ab'[i % 2]}/{i}.ppm",
                f"P6 {side} {side} 255\n".encode() + os.urandom(side * side * 3),
            )
    return out.getvalue(), count


def check_upload(base: str, token: str) -> None:
    """A dataset upload larger than the proxy's 10 MB limit for other requests passes, and is deleted."""
    archive, count = noise_folder_zip(12)
    megabytes = len(archive) / 2**20
    status, _, body = request(f"{base}/api/datasets/uploads?filename=noise.zip", token, "POST", archive)
    check(status == 201, f"POST /api/datasets/uploads ({megabytes:.1f} MB) -> {status}: {body[:300]!r}")
    upload = json.loads(body)
    check(upload["examples"] == count and upload["classes"] == ["a", "b"], f"upload described as {upload}")
    uploads = get_json(f"{base}/api/datasets/uploads", token)
    check([u["upload_id"] for u in uploads] == [upload["upload_id"]], f"uploads listed: {uploads}")
    status, _, body = request(f"{base}/api/datasets/uploads/{upload['upload_id']}", token, "DELETE")
    check(status == 204, f"DELETE /api/datasets/uploads/{upload['upload_id']} -> {status}: {body[:300]!r}")
    ok(f"a {megabytes:.1f} MB dataset upload passes the proxy, is checked ({count} pictures) and deleted")


# ---- WebSocket (RFC 6455, just what a client needs) ------------------------------------------


def websocket_events(url: str, deadline: float) -> list[dict[str, Any]]:
    """Every message of ws://... until the server closes the stream; raises on a failed upgrade."""
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=30)
    host = f"{parts.hostname}:{parts.port or 80}"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    sock.sendall(
        (
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n\r\n"
        ).encode()
    )
    reader = sock.makefile("rb")
    status_line = reader.readline().decode("latin-1").strip()
    headers: dict[str, str] = {}
    while (line := reader.readline().decode("latin-1").strip()) != "":
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    check(" 101 " in f"{status_line} ", f"WebSocket upgrade refused: {status_line!r}")
    accept = base64.b64encode(
        hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
    ).decode()
    check(headers.get("sec-websocket-accept") == accept, "wrong Sec-WebSocket-Accept")

    def send(opcode: int, payload: bytes = b"") -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        check(len(payload) < 126, "control frames only")
        sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def exact(n: int) -> bytes:
        data = reader.read(n)
        check(data is not None and len(data) == n, "the WebSocket closed mid-frame")
        return data

    events: list[dict[str, Any]] = []
    fragments = b""
    while True:
        check(time.monotonic() < deadline, f"the job did not end in {JOB_TIMEOUT_S} s")
        sock.settimeout(max(1.0, min(90.0, deadline - time.monotonic())))
        first, second = exact(2)
        opcode, length = first & 0x0F, second & 0x7F
        if length == 126:
            length = int.from_bytes(exact(2), "big")
        elif length == 127:
            length = int.from_bytes(exact(8), "big")
        payload = exact(length) if length else b""
        if opcode in (0x1, 0x0):
            fragments += payload
            if first & 0x80:
                events.append(json.loads(fragments))
                fragments = b""
        elif opcode == 0x9:
            send(0xA, payload)
        elif opcode == 0x8:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
            send(0x8, payload[:2])
            sock.close()
            check(code in (1000, None), f"the event stream closed with code {code}")
            return events


# ---- the job -----------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(base: str, token: str, path: str) -> bytes:
    status, _, data = request(f"{base}{path}", token, timeout=120)
    check(status == 200 and data, f"GET {path} -> {status}: {data[:200]!r}")
    return data


def run_job(base: str, token: str, outdir: Path) -> None:
    started = time.monotonic()
    status, _, body = request(f"{base}/api/optimize", token, "POST", REQUEST)
    check(status == 202, f"POST /api/optimize -> {status}: {body[:400]!r}")
    job = json.loads(body)
    job_id = job["id"]
    ok(
        f"job {job_id} queued ({REQUEST['trials']} trials of digits, {REQUEST['max_epochs_per_trial']} epochs)"
    )

    ws_base = base.replace("http://", "ws://", 1)
    events = websocket_events(
        f"{ws_base}/api/jobs/{job_id}/events?after=0&token={token}", started + JOB_TIMEOUT_S
    )
    kinds = [e.get("type") for e in events]
    check("run_finished" in kinds, f"the event stream ended without run_finished: {kinds[-5:]}")
    epochs = kinds.count("epoch_ended")
    check(epochs >= 1, "no epoch_ended event came over the WebSocket")
    ok(f"{len(events)} events over the WebSocket through the proxy ({epochs} epochs), closed 1000")

    job = get_json(f"{base}/api/jobs/{job_id}", token)
    for _ in range(40):  # the stream can end a moment before the job's row says so
        if job["status"] == "completed":
            break
        time.sleep(0.5)
        job = get_json(f"{base}/api/jobs/{job_id}", token)
    check(job["status"] == "completed", f"job ended as {job['status']}: {job.get('error')}")
    check(job["has_model"], "the completed job has no model")
    trials, done = finished_trials(base, token, job_id)
    check(len(done) == REQUEST["trials"], f"{len(done)} finished trials: {trials}")
    check(any(t["state"] == "complete" for t in done), f"no complete trial: {trials}")
    ok(f"job completed in {time.monotonic() - started:.0f} s with {len(done)} finished trials")

    model = download(base, token, f"/api/download/{job_id}")
    check(zipfile.is_zipfile(io.BytesIO(model)), "the downloaded model is not a .keras (zip) file")
    bundle = download(base, token, f"/api/jobs/{job_id}/download")
    names = sorted(zipfile.ZipFile(io.BytesIO(bundle)).namelist())
    check(any(n.endswith(".keras") for n in names), f"no model in the results zip: {names[:20]}")
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "model.keras").write_bytes(model)
    record = {"id": job_id, "model_sha256": sha256(model), "zip_names": names, "trials": len(done)}
    (outdir / "job.json").write_text(json.dumps(record, indent=2))
    ok(f"model downloaded ({len(model) / 1024:.0f} KiB .keras) and the results zip ({len(names)} files)")


def finished_trials(base: str, token: str, job_id: str) -> tuple[list[dict], list[dict]]:
    """All of a job's trials, and those that finished (complete or pruned)."""
    trials = get_json(f"{base}/api/jobs/{job_id}/trials", token)
    return trials, [t for t in trials if t.get("state") in ("complete", "pruned")]


def after_restart(base: str, token: str, outdir: Path) -> None:
    record = json.loads((outdir / "job.json").read_text())
    job = get_json(f"{base}/api/jobs/{record['id']}", token)
    check(job["status"] == "completed", f"after the restart the job is {job['status']}")
    check(job["has_model"], "after the restart the job has no model")
    _, done = finished_trials(base, token, record["id"])
    check(len(done) == record["trials"], f"after the restart {len(done)} finished trials")
    model = download(base, token, f"/api/download/{record['id']}")
    check(sha256(model) == record["model_sha256"], "after the restart the model differs")
    names = sorted(
        zipfile.ZipFile(io.BytesIO(download(base, token, f"/api/jobs/{record['id']}/download"))).namelist()
    )
    check(names == record["zip_names"], "after the restart the results zip holds other files")
    ok(
        f"after the restart: job {record['id']} completed, {len(done)} trials, same model and {len(names)} files"
    )


def main(argv: list[str]) -> int:
    command, base, token = argv[0], argv[1].rstrip("/"), argv[2]
    try:
        if command == "ui":
            check_ui(base, token)
        elif command == "job":
            run_job(base, token, Path(argv[3]))
        elif command == "after-restart":
            after_restart(base, token, Path(argv[3]))
        else:
            raise SystemExit(f"unknown command {command!r}")
    except (CheckFailed, OSError, ValueError, KeyError) as error:
        print(f"  FAIL {error}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
