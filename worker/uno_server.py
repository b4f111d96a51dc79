"""Warm LibreOffice converter: run with Debian's /usr/bin/python3 (package python3-uno).

    /usr/bin/python3 worker/uno_server.py SOCKET_PATH PROFILE_DIR

Starts one headless soffice listening on a private pipe with a private profile, connects over UNO
and serves conversions on a Unix socket, one at a time. Request: one JSON line
``{"in": "/abs/file.docx", "out": "/abs/file.pdf"}``; answer: ``{"ok": true}`` or
``{"ok": false, "error": "..."}``. If soffice dies it is restarted for the next request.
Imports nothing from the project: it runs outside the venv.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


class Office:
    def __init__(self, profile):
        self.profile = profile
        self.pipe = f"kehoach_{os.getpid()}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None  # the UNO Desktop once started

    def start(self):
        self.proc = subprocess.Popen(
            [
                "soffice",
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                "-env:UserInstallation=file://" + self.profile,
                f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.time() + 60
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.1)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def convert(self, src, dst):
        if not self.alive():
            self.start()
        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(src),
            "_blank",
            0,
            (prop("Hidden", True), prop("ReadOnly", True)),
        )
        if doc is None:
            raise RuntimeError("LibreOffice could not open the document")
        try:
            doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "writer_pdf_Export"),))
        finally:
            doc.close(True)

    def stop(self):
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                self.desktop.terminate()
            except Exception:
                pass
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main():
    sock_path, profile = sys.argv[1], sys.argv[2]
    office = Office(profile)
    office.start()
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    os.chmod(sock_path, 0o600)
    server.listen(16)

    def shutdown(*_):
        office.stop()
        try:
            os.unlink(sock_path)
        except OSError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                req = json.loads(data.decode())
                if req.get("stop"):
                    conn.sendall(b'{"ok": true}\n')
                    shutdown()
                answer: dict[str, Any]
                try:
                    office.convert(req["in"], req["out"])
                    answer = {"ok": True}
                except Exception as e:  # one retry with a fresh soffice
                    office.stop()
                    try:
                        office.start()
                        office.convert(req["in"], req["out"])
                        answer = {"ok": True}
                    except Exception as e2:
                        answer = {"ok": False, "error": f"{e}; {e2}"}
                conn.sendall((json.dumps(answer) + "\n").encode())
            except Exception as e:
                try:
                    conn.sendall((json.dumps({"ok": False, "error": str(e)}) + "\n").encode())
                except OSError:
                    pass


if __name__ == "__main__":
    main()
