"""The one place that runs git: the questions the build and ``./scripts/check`` ask of history.

Kept bundles and the ledger of releases may not lose what a commit holds (consent/archive.py),
and a published version whose file is gone names the commit that restores
it (versions/lock.py). Every question here fails the same way when git cannot answer it: a
``GitError`` with one wording, for git not installed, a folder not in a git repository, or a
shallow clone that lacks the commits asked for. What that means is the caller's to decide (no
history: nothing to check). Nothing here prints or reads the environment.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from policy_site.problems import PolicySiteError, display

__all__ = [
    "GitError",
    "check_history",
    "commits_with",
    "deleted_paths",
    "file_at",
    "file_at_head",
    "file_history",
    "last_commit_with",
    "repository_path",
]

_NOT_INSTALLED = "git is not installed"
_NOT_A_REPOSITORY = "it is not in a git repository"
_SHALLOW = "it is in a shallow clone, which lacks older commits (git fetch --unshallow)"


class GitError(PolicySiteError):
    """git cannot answer about a folder: not installed, not a repository, or a shallow clone."""


def _unavailable(folder: Path, reason: str) -> GitError:
    """The one wording of every failure to ask git."""
    return GitError(f"{display(folder)} has no git history to read: {reason}.")


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    if not folder.is_dir():
        raise _unavailable(folder, _NOT_A_REPOSITORY)
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, check=False)
    except OSError:
        raise _unavailable(folder, _NOT_INSTALLED) from None


def _output(folder: Path, *args: str) -> str | None:
    """What ``git args`` prints in ``folder``; None when it fails."""
    result = _run(folder, *args)
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


def _shallow(folder: Path) -> bool:
    """Whether ``folder``'s repository is a shallow clone; GitError when there is none."""
    answer = _output(folder, "rev-parse", "--is-shallow-repository")
    if answer is None:
        raise _unavailable(folder, _NOT_A_REPOSITORY)
    return answer.strip() == "true"


def check_history(folder: Path, *, full: bool = False) -> None:
    """GitError unless git can answer in ``folder``; with ``full``, also in a shallow clone."""
    if _shallow(folder) and full:
        raise _unavailable(folder, _SHALLOW)


def deleted_paths(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` (relative to it) that a commit deleted, with the newest commit
    that deleted it (whether or not the path is back since). Empty before the first commit; in a
    shallow clone, only the deletions the clone holds."""
    check_history(folder)
    log = _output(folder, "log", "--diff-filter=D", "--no-renames", "--name-only", "--relative",
                  "--format=%x00%H", "--", ".")  # fmt: skip
    found: dict[str, str] = {}
    for block in (log or "").split("\0")[1:]:
        commit, *names = block.split()
        for name in names:
            # Newest first: the last deletion of a name is the one to undo.
            found.setdefault(name, commit)
    return found


def file_at(folder: Path, commit: str, name: str) -> str | None:
    """The content of ``name`` (in ``folder``) in ``commit``; None when that commit lacks it."""
    check_history(folder)
    return _output(folder, "show", f"{commit}:./{name}")


def file_at_head(folder: Path, name: str) -> str | None:
    """The content of ``name`` (in ``folder``) in the last commit; None when the last commit
    lacks it or there is no commit yet."""
    return file_at(folder, "HEAD", name)


def file_history(folder: Path, name: str) -> list[tuple[str, dt.date, str]]:
    """Every committed content of ``name`` (in ``folder``), oldest first: the commit, its day
    (the committer's date) and the text, for each commit that changed it and has it. In a
    shallow clone, those the clone holds (``check_history(folder, full=True)`` says if so)."""
    check_history(folder)
    log = _output(folder, "log", "--reverse", "--format=%H %cs", "--", name) or ""
    commits = [line.split() for line in log.splitlines() if line.strip()]
    if not commits:
        return []
    top = _output(folder, "rev-parse", "--show-prefix")
    path = f"{(top or '').strip()}{name}"
    asked = "".join(f"{commit}:{path}\n" for commit, _ in commits).encode()
    try:
        batch = subprocess.run(["git", "cat-file", "--batch"], cwd=folder, input=asked,
                               capture_output=True, check=False)  # fmt: skip
    except OSError:
        raise _unavailable(folder, _NOT_INSTALLED) from None
    found: list[tuple[str, dt.date, str]] = []
    out, at = batch.stdout, 0
    for commit, day in commits:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if header[-1] == b"missing":
            continue  # the commit that deleted it
        size = int(header[2])
        text = out[at : at + size].decode("utf-8", "replace")
        at += size + 1
        found.append((commit, dt.date.fromisoformat(day), text))
    return found


def commits_with(folder: Path, name: str) -> list[str]:
    """The commits that changed ``name`` (in ``folder``), newest first; in a shallow clone, those
    the clone holds."""
    check_history(folder)
    return (_output(folder, "log", "--format=%H", "--", name) or "").split()


def repository_path(path: Path) -> str:
    """``path`` as git names it in a command run at the top of its repository."""
    folder = next(parent for parent in path.resolve().parents if parent.is_dir())
    top = (_output(folder, "rev-parse", "--show-toplevel") or "").strip()
    if not top:
        raise _unavailable(folder, _NOT_A_REPOSITORY)
    return path.resolve().relative_to(Path(top).resolve()).as_posix()


def last_commit_with(path: Path) -> tuple[str, str] | None:
    """The last commit that has ``path`` (the short hash: HEAD, or the parent of the commit
    that deleted it) and ``path`` relative to the repository; None when no commit has it. A
    shallow clone that has no such commit raises GitError: an older one may."""
    folder = next(parent for parent in path.resolve().parents if parent.is_dir())
    check_history(folder)

    def git(*args: str) -> str | None:
        found = _output(folder, *args)
        return found.strip() if found is not None else None

    relative = repository_path(path)
    commit = None
    if git("cat-file", "-e", f"HEAD:{relative}") is not None:
        commit = git("rev-parse", "--short", "HEAD")
    else:
        deleted = git("log", "-1", "--format=%H", "--diff-filter=D", "--", f":/{relative}")
        if deleted:
            commit = git("rev-parse", "--short", f"{deleted}^")
    if not commit:
        check_history(folder, full=True)
        return None
    return commit, relative
