"""Health check for the web container: GET /health/ as the reverse proxy would send it.

The production settings refuse unknown hosts and redirect plain HTTP to HTTPS, so the request
names the first allowed host and carries the proxy's X-Forwarded-Proto header. Exits 0 when
the application (and its database) answer 200. Usage: python healthcheck.py [URL]
"""

import os
import sys
import urllib.request

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/health/"


def main() -> int:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h.lstrip(".") for h in hosts if h and h != "*"), "localhost")
    if not URL.startswith(("http://", "https://")):
        print(f"not an HTTP address: {URL}", file=sys.stderr)
        return 2
    headers = {"Host": host, "X-Forwarded-Proto": "https"}
    request = urllib.request.Request(URL, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
