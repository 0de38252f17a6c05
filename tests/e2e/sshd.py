"""A throwaway OpenSSH server on a loopback port, for the SSH test and benchmark.

Generated host and client keys, pid file and authorized_keys in a temporary directory, and
every setting as an ``sshd -o`` option with ``-f /dev/null``: nothing of the system's SSH
setup is read or changed. It runs as whoever runs the tests: as a normal user, sshd can
only log that user in (which is all the tests do) and needs nothing of root's. As root,
sshd insists on its privilege separation directory, ``/run/sshd``, which is then made if
missing (as the openssh-server package's service would).
"""

from __future__ import annotations

import getpass
import grp
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.procs import free_port, stop, wait_for_port

SSHD = "/usr/sbin/sshd"
ROOT = Path(__file__).resolve().parents[2]


def missing_tools() -> str | None:
    """Why the SSH tests cannot run here, or None."""
    for tool in ("ssh", "ssh-keygen", "tmux"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/test.sh installs it)"
    if not os.access(SSHD, os.X_OK):
        return f"{SSHD} is not installed (openssh-server; scripts/test.sh installs it)"
    return _terminal_group_problem()


def _terminal_group_problem() -> str | None:
    """Why a normal user's sshd could not give a session a terminal here, or None.

    sshd hands the new terminal to the user and the ``tty`` group. Where /dev/pts gives new
    terminals that group already (devpts mounted with gid=5, as Debian and Ubuntu do) or the
    user is in it, that works without root; some containers mount devpts without it, and
    then sshd stops at ``chown(/dev/pts/N) failed``.
    """
    if os.geteuid() == 0:
        return None
    try:
        tty = grp.getgrnam("tty").gr_gid
    except KeyError:
        return None  # no tty group: sshd gives the terminal the user's own group
    if tty in os.getgroups():
        return None
    master, slave = os.openpty()
    try:
        group = os.fstat(slave).st_gid
    finally:
        os.close(master)
        os.close(slave)
    if group == tty:
        return None
    return ("new terminals in /dev/pts get the user's group, not tty (devpts mounted without "
            "gid=5), so a normal user's sshd cannot give the session a terminal; run as root, "
            "or as a member of the tty group")


class SshServer:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.user = getpass.getuser()
        self.key = directory / "client_ed25519"
        self.proc: subprocess.Popen | None = None

    def options(self) -> list[str]:
        """The server's whole configuration, as ``sshd -o`` options."""
        settings = {
            "ListenAddress": "127.0.0.1",
            "Port": str(self.port),
            "HostKey": str(self.dir / "host_ed25519"),
            "AuthorizedKeysFile": str(self.dir / "authorized_keys"),
            "PidFile": str(self.dir / "sshd.pid"),
            "UsePAM": "no",
            "StrictModes": "no",  # the temporary directory's modes are not sshd's business
            "PermitRootLogin": "prohibit-password",
            "PubkeyAuthentication": "yes",
            "PasswordAuthentication": "no",
            "KbdInteractiveAuthentication": "no",
            "AuthenticationMethods": "publickey",
            "PrintMotd": "no",
            "PrintLastLog": "no",
            "Compression": "yes",
            "LogLevel": "ERROR",
        }
        return [arg for key, value in settings.items() for arg in ("-o", f"{key}={value}")]

    def start(self) -> None:
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        for key in (self.dir / "host_ed25519", self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True, capture_output=True)
        (self.dir / "authorized_keys").write_text(self.key.with_suffix(".pub").read_text())
        self.proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", "/dev/null", *self.options()],
            stdout=open(self.dir / "sshd.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)  # its process group: the listener and every session it forked

    def ssh_argv(self, remote: str, *options: str) -> list[str]:
        """``ssh -tt`` to this server running ``remote`` (a shell command line)."""
        return [
            "ssh", "-tt", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-F", "/dev/null", "-i", str(self.key), "-p", str(self.port), *options,
            f"{self.user}@127.0.0.1", remote,
        ]


def board_command(*options: str) -> str:
    """The remote shell command that runs this checkout's wallboard."""
    repo = shlex.quote(str(ROOT))
    argv = shlex.join([sys.executable, "-m", "wallboard", *options])
    return f"cd {repo} && PYTHONPATH={repo} exec {argv}"
