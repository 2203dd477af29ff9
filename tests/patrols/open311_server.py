"""A client's Open311 (GeoReport v2) system on loopback for the hand-off tests: a real HTTP
server in a thread that serves a service list, files the requests POSTed to it (recording
what it received), answers a token instead of an id when told to, and reports the statuses
it is given."""

import http.server
import json
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

SERVICES = [
    {"service_code": "GV-01", "service_name": "Grofvuil", "group": "Afval", "type": "realtime"},
    {"service_code": "VL-02", "service_name": "Straatverlichting", "group": "Openbare ruimte"},
    {"service_code": "OV-99", "service_name": "Overig", "group": ""},
]


@dataclass
class Open311Server:
    """`post_answers`: HTTP statuses the POSTs get in turn (the last one repeats); `tokens`:
    answer a token and give the id only when asked for the token (`token_ready` says when)."""

    services: list = field(default_factory=lambda: list(SERVICES))
    post_answers: list = field(default_factory=lambda: [201])
    error_description: str = "service_code is not valid"
    tokens: bool = False
    token_ready: bool = True
    api_key: str = "geheime-sleutel"
    posted: list = field(default_factory=list)
    gets: list = field(default_factory=list)
    requests: dict = field(default_factory=dict)
    server: http.server.HTTPServer | None = None

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/open311/v2"

    def close(self, request_id: str, note: str, *, updated="2026-12-07T10:00:00+01:00"):
        """The client's staff close a request with a note."""
        self.requests[request_id].update(status="closed", status_notes=note, updated=updated)

    def start(self) -> "Open311Server":
        system = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - the standard library's name
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                system.gets.append(self.path)
                if parts.path == "/open311/v2/services.json":
                    return self._answer(200, system.services)
                if parts.path.startswith("/open311/v2/tokens/"):
                    token = parts.path.rsplit("/", 1)[-1].removesuffix(".json")
                    found = [r for r in system.requests.values() if r["token"] == token]
                    if not found or not system.token_ready:
                        return self._answer(404, [{"code": 404, "description": "not yet"}])
                    return self._answer(
                        200, [{"service_request_id": found[0]["id"], "token": token}]
                    )
                if parts.path == "/open311/v2/requests.json":
                    ids = ",".join(query.get("service_request_id", [""])).split(",")
                    return self._answer(
                        200,
                        [
                            {
                                "service_request_id": r["id"],
                                "status": r["status"],
                                "status_notes": r["status_notes"],
                                "service_code": r["service_code"],
                                "updated_datetime": r["updated"],
                            }
                            for i in ids
                            if (r := system.requests.get(i)) is not None
                        ],
                    )
                return self._answer(404, [{"code": 404, "description": "not found"}])

            def do_POST(self):  # noqa: N802 - the standard library's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                system.posted.append({"path": self.path, "form": form})
                index = min(len(system.posted), len(system.post_answers)) - 1
                status = system.post_answers[index]
                if status >= 400:
                    return self._answer(
                        status, [{"code": status, "description": system.error_description}]
                    )
                if form.get("api_key") != system.api_key:
                    return self._answer(403, [{"code": 403, "description": "api_key is wrong"}])
                request_id = f"SR-{len(system.requests) + 1001}"
                token = f"tok-{len(system.requests) + 1}"
                system.requests[request_id] = {
                    "id": request_id,
                    "token": token,
                    "status": "open",
                    "status_notes": "",
                    "service_code": form.get("service_code"),
                    "updated": "2026-12-07T09:00:00+01:00",
                }
                if system.tokens:
                    return self._answer(status, [{"token": token}])
                return self._answer(status, [{"service_request_id": request_id}])

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
