"""A real git smart-HTTP server for tests: git's own `git-http-backend` run as CGI behind a small threaded HTTP
server on 127.0.0.1 that demands HTTP Basic credentials, and records the Authorization header of every request
(so a test shows who was, and who was not, sent a token).

    with serving_git_http(root, username="x-access-token", password="s3cret") as server:
        git push {server.url}/org/repo.git ...   # repositories are <root>/org/repo.git (bare)
        server.password = "rotated"              # the host revokes the token: the next request is a 401
        server.redirects["/org/old.git"] = f"{server.url}/org/new.git"  # a moved repository: 301
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

_BACKEND_CANDIDATES = ("/usr/lib/git-core/git-http-backend", "/usr/libexec/git-core/git-http-backend")


def git_http_backend() -> str:
    """Where git's CGI program is (`git --exec-path` first)."""
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
    for candidate in (f"{exec_path}/git-http-backend", *_BACKEND_CANDIDATES):
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("git-http-backend")
    if found is None:
        raise RuntimeError("git-http-backend not found (it comes with git: `git --exec-path`)")
    return found


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None


@dataclass
class GitHttpServer:
    root: Path
    url: str
    username: str | None
    password: str | None
    seen: list[Seen] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)
    """Path prefix -> URL: requests under the prefix are answered `301` to the URL plus the rest of their path."""

    def expected(self) -> str | None:
        if self.username is None or self.password is None:
            return None
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")

    def headers_sent_to(self, path_prefix: str) -> list[str | None]:
        """The Authorization headers of the requests for paths under `path_prefix` (None: none sent)."""
        return [s.authorization for s in self.seen if s.path.startswith(path_prefix)]


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _handler(server: GitHttpServer, backend: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            authorization = self.headers.get("Authorization")
            server.seen.append(Seen(self.command, parts.path, authorization))
            body = _read_body(self)
            for moved, target in server.redirects.items():
                if parts.path.startswith(moved):
                    query = f"?{parts.query}" if parts.query else ""
                    self.send_response(301)
                    self.send_header("Location", f"{target}{parts.path[len(moved) :]}{query}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            expected = server.expected()
            if expected is not None and authorization != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            env = {
                "PATH": "/usr/bin:/bin",
                "GIT_PROJECT_ROOT": str(server.root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": parts.path,
                "QUERY_STRING": parts.query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": server.username or "anonymous",  # git-http-backend allows pushes only then
                "REMOTE_ADDR": self.client_address[0],
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": "/dev/null",
            }
            for header, variable in (("Content-Encoding", "HTTP_CONTENT_ENCODING"), ("Git-Protocol", "GIT_PROTOCOL")):
                if (value := self.headers.get(header)) is not None:
                    env[variable] = value
            done = subprocess.run([backend], input=body, env=env, capture_output=True, check=False)
            head, _, payload = done.stdout.partition(b"\r\n\r\n")
            status = 200
            headers = []
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            if done.returncode != 0 and not head:
                status, payload = 500, done.stderr
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

    return Handler


@contextmanager
def serving_git_http(
    root: Path, *, username: str | None = None, password: str | None = None
) -> Iterator[GitHttpServer]:
    """Serve the bare repositories under `root` at `server.url` (requiring `username:password` when given)."""
    state = GitHttpServer(root=root, url="", username=username, password=password)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, git_http_backend()))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="git-http", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
