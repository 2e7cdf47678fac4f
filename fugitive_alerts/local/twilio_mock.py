"""A Twilio mock: Prism serving Twilio's official OpenAPI spec, for tests and the demo.

``tools/twilio-mock/package.json`` pins ``@stoplight/prism-cli@5.14.2`` (5.16 needs Node 24) and
``@twilio-alpha/mcp@0.7.0``, which ships the official spec
``twilio-oai/spec/json/twilio_api_v2010.json`` (Twilio - Api 1.0.0, OpenAPI 3.0.1). It is the
lighter of the two packages that ship it (``@twilio/cli-core`` pulls in oclif and twilio-node).
:func:`ensure_prism` runs ``npm ci`` there once; ``node_modules/`` is git-ignored.

Pointing the real ``twilio`` client at it (checked by hand with twilio 9.13 and Prism 5.14.2)::

    client = Client("AC" + "0" * 32, "any-token")
    client.api.base_url = "http://127.0.0.1:PORT"    # sticks: the domain object is cached
    client.messages.create(to="+254700000001", from_="+15005550006", body="x")

The client then POSTs form data to
``http://127.0.0.1:PORT/2010-04-01/Accounts/<AccountSid>/Messages.json``. What Prism does:

- a valid request: **201** with the spec's example body (sid ``SMaaaa...``, status ``queued``,
  ``to`` ``+14155552345``), not an echo of the request; so assert what was sent on the client
  side (e.g. a recording HTTP client) and let Prism judge it against the contract;
- no basic auth: **401** (``.../prism/errors#UNAUTHORIZED``); any SID/token pair is accepted;
- no ``To`` (``client.request("POST", url, data={"From": ..., "Body": ...})``): **422**
  ``UNPROCESSABLE_ENTITY`` with ``validation[0].message == "Request body must have required
  property 'To'"``. The ``twilio`` client cannot omit ``to=``; it sends ``To=""`` for ``to=""``;
- Prism does **not** check ``format: phone-number``: ``to=""`` and ``to="not-a-number"`` get 201.
  Validate numbers in the application (``phonenumbers``) before sending;
- unknown paths: 404.

Errors on demand (Twilio 429 / 5xx). Prism returns a status chosen by the request with the
``Prefer: code=<status>`` header (or the ``__code=<status>`` query parameter), but only a status
the spec defines for that operation, and the official spec defines only success codes:
``Prefer: code=500`` against it gets a 404 "Requested status code 500 is not defined in the
document". So :func:`start_twilio_mock` serves, by default, a copy of the spec that only adds
**429, 500 and 503** responses (Twilio's error body: ``{"code": 20429, "message": ..., "more_info":
..., "status": 429}``) to every operation; requests are validated exactly as before. Then
``Prefer: code=429`` gets a 429 that ``twilio`` raises as ``TwilioRestException(status=429)``.
To send the header from the client, pass an HTTP client that adds it, e.g.::

    class FailingHttpClient(AsyncTwilioHttpClient):
        async def request(self, method, url, params=None, data=None, headers=None, **kw):
            headers = {**(headers or {}), "Prefer": "code=429"}
            return await super().request(method, url, params, data, headers, **kw)
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from schemas.errors import FugitiveAlertsError

from .services import Service, ServiceError, file_lock, user_cache_dir

__all__ = [
    "ERROR_STATUSES",
    "TwilioMockError",
    "ensure_prism",
    "error_spec_path",
    "mock_dir",
    "spec_path",
    "start_twilio_mock",
]

PRISM_VERSION = "5.14.2"
SPEC_IN_PACKAGE = Path("node_modules/@twilio-alpha/mcp/twilio-oai/spec/json/twilio_api_v2010.json")
ERROR_STATUSES: dict[int, tuple[int, str]] = {
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}
"""HTTP status → (Twilio error code, message) added to the spec by :func:`error_spec_path`."""


class TwilioMockError(FugitiveAlertsError, RuntimeError):
    """The Twilio mock could not be installed or started. The message says what to do."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def mock_dir() -> Path:
    """``tools/twilio-mock`` in the source checkout."""
    path = Path(__file__).resolve().parents[2] / "tools" / "twilio-mock"
    if not (path / "package.json").exists():
        raise TwilioMockError(
            f"{path}/package.json is missing: the Twilio mock runs from the project's source "
            "checkout (git clone), not from an installed wheel."
        )
    return path


def spec_path() -> Path:
    """Twilio's official ``twilio_api_v2010.json`` (after :func:`ensure_prism`)."""
    return mock_dir() / SPEC_IN_PACKAGE


def _prism_bin() -> Path:
    return mock_dir() / "node_modules" / ".bin" / "prism"


def _lock_digest(folder: Path) -> str:
    lock = folder / "package-lock.json"
    source = lock if lock.exists() else folder / "package.json"
    return hashlib.sha256(source.read_bytes()).hexdigest()


def ensure_prism(progress: Callable[[str], None] = _stderr) -> Path:
    """Install Prism and the spec with npm once (again when the lock file changes); return Prism."""
    folder = mock_dir()
    stamp = folder / "node_modules" / ".fugitive-alerts-installed"

    def installed() -> bool:
        return (
            _prism_bin().exists()
            and spec_path().exists()
            and stamp.exists()
            and stamp.read_text().strip() == _lock_digest(folder)
        )

    if installed():
        return _prism_bin()
    with file_lock(user_cache_dir() / "twilio-mock-install.lock"):
        if installed():
            return _prism_bin()
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise TwilioMockError(
                "Node.js (20 or newer) and npm are needed for the Twilio mock (Prism). "
                "Install them (Debian/Ubuntu: apt-get install nodejs npm, or from nodejs.org)."
            )
        verb = "ci" if (folder / "package-lock.json").exists() else "install"
        progress(f"Installing the Twilio mock (Prism {PRISM_VERSION}) with `npm {verb}` in {folder} ...")
        proc = subprocess.run(
            [npm, verb, "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0 or not _prism_bin().exists() or not spec_path().exists():
            output = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise TwilioMockError(
                f"`npm {verb}` in {folder} failed (exit code {proc.returncode}); check access to "
                f"the npm registry and retry.\n{output}"
            )
        stamp.write_text(_lock_digest(folder) + "\n")
    return _prism_bin()


def _error_response(status: int) -> dict[str, Any]:
    code, message = ERROR_STATUSES[status]
    example = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "more_info": {"type": "string"},
            "status": {"type": "integer"},
        },
    }
    return {"description": message, "content": {"application/json": {"schema": schema, "example": example}}}


def error_spec_path(run_dir: Path) -> Path:
    """Write the official spec plus 429/500/503 responses on every operation; return its path."""
    spec = json.loads(spec_path().read_text())
    derived = copy.deepcopy(spec)
    derived["info"]["description"] = (
        "Twilio's official twilio_api_v2010.json, plus 429/500/503 responses on every operation "
        "so that a mock can return them on request (Prefer: code=...). Generated by fugitive-alerts."
    )
    for item in derived["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status in ERROR_STATUSES:
                    operation["responses"].setdefault(str(status), _error_response(status))
    run_dir.mkdir(parents=True, exist_ok=True)
    out = run_dir / "twilio_api_v2010.with-errors.json"
    out.write_text(json.dumps(derived))
    return out


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0):
            return True
    except urllib.error.HTTPError:
        return True  # Prism answers "/" with 404: it is up
    except (urllib.error.URLError, OSError):
        return False


def start_twilio_mock(
    port: int,
    run_dir: Path,
    *,
    error_responses: bool = True,
    timeout: float = 60.0,
    progress: Callable[[str], None] = _stderr,
) -> Service:
    """Start Prism on ``127.0.0.1:port`` in the background; return once it answers HTTP.

    The service is named ``twilio-mock`` (``<run_dir>/twilio-mock.pid`` / ``.log``); stop it with
    ``.stop()``. Its base URL is ``http://127.0.0.1:<port>``. ``error_responses`` serves the spec
    with 429/500/503 added (see the module docstring), else the official file as it is.
    """
    prism = ensure_prism(progress)
    spec = error_spec_path(run_dir) if error_responses else spec_path()
    node = shutil.which("node") or "node"
    service = Service(
        "twilio-mock",
        [node, str(prism), "mock", str(spec), "-p", str(port), "-h", "127.0.0.1"],
        run_dir,
        cwd=mock_dir(),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        service.start()
        service.wait_ready(lambda: _answers(url + "/"), timeout, f"the Twilio mock at {url} to answer")
    except ServiceError as exc:
        service.stop(10.0)
        raise TwilioMockError(f"the Twilio mock (Prism) did not start: {exc}") from None
    return service
