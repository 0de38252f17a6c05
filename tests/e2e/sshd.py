"""A throwaway OpenSSH server on a loopback port, for the SSH test and benchmark.

Generated host and client keys, its own config, pid file and authorized_keys in a
temporary directory; nothing of the system's SSH setup is read or changed (except that
``/run/sshd``, the privilege separation directory sshd insists on, is created if missing).
"""

from __future__ import annotations

import getpass
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
    return None


class SshServer:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.user = getpass.getuser()
        self.key = directory / "client_ed25519"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        host_key = self.dir / "host_ed25519"
        for key in (host_key, self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True, capture_output=True)
        (self.dir / "authorized_keys").write_text(self.key.with_suffix(".pub").read_text())
        config = self.dir / "sshd_config"
        config.write_text("\n".join([
            "ListenAddress 127.0.0.1",
            f"Port {self.port}",
            f"HostKey {host_key}",
            f"AuthorizedKeysFile {self.dir / 'authorized_keys'}",
            f"PidFile {self.dir / 'sshd.pid'}",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "AuthenticationMethods publickey",
            "PrintMotd no",
            "PrintLastLog no",
            "Compression yes",
            "LogLevel ERROR",
        ]) + "\n")
        self.proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)],
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
