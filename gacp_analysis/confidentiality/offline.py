"""Nothing leaves the machine: no step opens a network connection.

The toolkit itself never calls the network: the spaCy model is an installed
package, matplotlib builds its font cache from local files, notebooks run in a
local kernel. What this module adds:

- :data:`JUPYTER_CONFIG`, installed by ``scripts/setup.sh`` into the virtual
  environment (``etc/jupyter/jupyter_lab_config.json``): JupyterLab fetches no
  news feed and checks for no update (both call a server of the JupyterLab
  project by default) and its extension manager is read-only (the default lists
  extensions from a package index); the server listens on localhost only, its
  default;
- :data:`OFFLINE_ENV`: variables that keep model hubs' client libraries (a
  sentence encoder's, if one is installed) from downloading anything;
- :func:`block_network`, used by ``tests/test_offline.py``: Python's socket
  layer refuses every connection and name lookup except local ones, and
  records each attempt (in a file, for subprocesses such as the notebooks'
  kernel, which load it through :data:`SITECUSTOMIZE`).

What is allowed, and why: ``AF_UNIX`` sockets (local inter-process
communication, never a network); a connection to a loopback address
(127.0.0.0/8, ::1) only when ``allow_loopback`` is set, for a Jupyter kernel
whose Python code talks to itself over loopback TCP (its ZMQ channels are
opened by libzmq in C and do not go through Python's socket module at all);
name lookups only for ``localhost`` and numeric loopback addresses.
"""
from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from contextlib import contextmanager
from pathlib import Path

JUPYTER_CONFIG = Path(__file__).resolve().parents[1] / "data" / "jupyter" / "gacp-hors-ligne.json"
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
}
LOG_ENV = "GACP_JOURNAL_RESEAU"  # file where subprocesses record blocked attempts
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

# Loaded by Python at start-up from a folder put first on PYTHONPATH (tests/test_offline.py).
SITECUSTOMIZE = """\
import os
if os.environ.get("{log}"):
    from gacp_analysis.confidentiality.offline import install_guard
    install_guard(log=os.environ["{log}"], allow_loopback=True)
""".format(log=LOG_ENV)


class NetworkBlocked(OSError):
    """A connection or lookup refused by :func:`block_network`."""


def _is_loopback(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0]
    if host.casefold() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_originals: dict[str, object] = {}


def install_guard(*, log: str | Path | None = None, allow_loopback: bool = False,
                  attempts: list | None = None) -> None:
    """Patch the socket module of this process (see the module docstring)."""
    if _originals:
        return
    _originals.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                      getaddrinfo=socket.getaddrinfo, gethostbyname=socket.gethostbyname,
                      gethostbyname_ex=socket.gethostbyname_ex)

    def refuse(what: str) -> None:
        entry = {"pid": os.getpid(), "tentative": what, "argv": sys.argv[:2]}
        if attempts is not None:
            attempts.append(entry)
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        raise NetworkBlocked(f"connexion réseau refusée (mode hors ligne) : {what}")

    def allowed(sock, address) -> bool:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return True
        host = address[0] if isinstance(address, tuple) else address
        return allow_loopback and _is_loopback(host)

    def connect(self, address):
        if not allowed(self, address):
            refuse(f"connect {address!r}")
        return _originals["connect"](self, address)

    def connect_ex(self, address):
        if not allowed(self, address):
            refuse(f"connect_ex {address!r}")
        return _originals["connect_ex"](self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            refuse(f"getaddrinfo {host!r}")
        return _originals["getaddrinfo"](host, *args, **kwargs)

    def gethostbyname(host):
        if not _is_loopback(host):
            refuse(f"gethostbyname {host!r}")
        return _originals["gethostbyname"](host)

    def gethostbyname_ex(host):
        if not _is_loopback(host):
            refuse(f"gethostbyname_ex {host!r}")
        return _originals["gethostbyname_ex"](host)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex


def remove_guard() -> None:
    """Undo :func:`install_guard`."""
    if not _originals:
        return
    socket.socket.connect = _originals["connect"]
    socket.socket.connect_ex = _originals["connect_ex"]
    socket.getaddrinfo = _originals["getaddrinfo"]
    socket.gethostbyname = _originals["gethostbyname"]
    socket.gethostbyname_ex = _originals["gethostbyname_ex"]
    _originals.clear()


@contextmanager
def block_network(log: str | Path, *, allow_loopback: bool = False):
    """Within the block, this process refuses network access; so do the Python processes it
    starts (through :data:`SITECUSTOMIZE` and ``PYTHONPATH``), which may reach loopback only.

    Yields:
        The list of attempts refused in this process (the subprocesses' go to ``log``).
    """
    log = Path(log)
    site = log.parent / "sitecustomize_hors_ligne"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    saved = {k: os.environ.get(k) for k in (*OFFLINE_ENV, LOG_ENV, "PYTHONPATH")}
    os.environ.update(OFFLINE_ENV)
    os.environ[LOG_ENV] = str(log)
    root = str(Path(__file__).resolve().parents[2])  # the package, even before « pip install -e »
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), root, saved["PYTHONPATH"]]))
    attempts: list = []
    install_guard(log=log, allow_loopback=allow_loopback, attempts=attempts)
    try:
        yield attempts
    finally:
        remove_guard()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def install_jupyter_config(prefix: str | Path = sys.prefix) -> Path:
    """Merge :data:`JUPYTER_CONFIG` into ``<prefix>/etc/jupyter/jupyter_lab_config.json``.

    JupyterLab reads its own settings from that file only (not from a ``.d`` folder);
    other keys already in it are kept.
    """
    target = Path(prefix) / "etc" / "jupyter" / "jupyter_lab_config.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    config = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    for section, values in json.loads(JUPYTER_CONFIG.read_text(encoding="utf-8")).items():
        config.setdefault(section, {}).update(values)
    target.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    print(install_jupyter_config())
