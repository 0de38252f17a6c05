"""The journal file beside a SQLite store (wallboard/store/journal.py): lines appended,
read back whole, and its lock, with real files and, for a full disk, a real file-size
limit in a child process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from wallboard.store.journal import FileJournal


def test_a_journal_line_cut_off_is_left_out(tmp_path):
    journal = FileJournal(tmp_path / "history.sqlite3")
    assert journal.lead()
    journal.append(1, 10, [["end", "c1", 10]])
    journal.append(2, 20, [])
    with open(journal.path, "ab") as file:
        file.write(b'{"seq":3,"at":30,"ops":[["end","c')  # the disk filled up mid-line
    assert [(line.seq, line.at, line.ops) for line in journal.read()] == [
        (1, 10, [["end", "c1", 10]]), (2, 20, [])]
    other = FileJournal(tmp_path / "history.sqlite3")
    assert not other.lead() and other.led_elsewhere()
    journal.release()
    assert not other.led_elsewhere() and other.lead()
    other.release()


def test_a_line_after_a_short_write_starts_a_line_of_its_own(tmp_path):
    """A full disk cuts a line short (here a real file-size limit, RLIMIT_FSIZE, in a child
    process): the next line written must not be glued to the part, or it is lost with it
    when the journal is read after a crash."""
    script = textwrap.dedent(f"""
        import os, resource, signal
        from wallboard.store.journal import FileJournal, JournalError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a short write, not a killed process
        journal = FileJournal(__import__("pathlib").Path({str(tmp_path / "h.sqlite3")!r}))
        assert journal.lead()
        journal.append(1, 10, [["end", "c1", 10]])
        _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (journal.path.stat().st_size + 12, hard))
        try:
            journal.append(2, 20, [["end", "c2", 20]])
        except JournalError as exc:
            print(exc)
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        journal.append(3, 30, [["end", "c3", 30]])
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "h.sqlite3-wbjournal"
    assert done.stdout.strip() == (f"The history store's journal {path} cannot be written: "
                                   "the disk is full.")
    assert path.read_bytes().count(b"\n") == 3  # line 1, the part of 2, line 3
    lines = FileJournal(tmp_path / "h.sqlite3").read()
    assert [(line.seq, line.ops) for line in lines] == [(1, [["end", "c1", 10]]),
                                                        (3, [["end", "c3", 30]])]
