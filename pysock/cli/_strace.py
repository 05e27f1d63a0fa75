"""Running a command under strace, and reading what strace wrote.

The lab's marker writes (to descriptor -1, see pysock.labs.scenarios.scenario
and pysock.cli._tracehook) cut the trace into groups: a scenario step, a
Python socket call inside it, and the system calls each made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

# The system calls a socket program makes; the rest (file reads of imports,
# memory management) would drown them.
SYSCALLS = ("%network,read,write,close,poll,ppoll,select,pselect6,fcntl,ioctl,dup,dup2,dup3,"
            "sendfile,epoll_wait,epoll_pwait,epoll_ctl,clone,clone3,fork,vfork,wait4,waitid,"
            "setitimer,kill,tgkill")
NETWORK = {"socket", "socketpair", "bind", "listen", "accept", "accept4", "connect",
           "getsockname", "getpeername", "setsockopt", "getsockopt", "shutdown", "sendto",
           "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg"}

_LINE = re.compile(r"^(\d+)\s+(.*)$")
_CALL = re.compile(r"^(\w+)\((.*)$")
_MARK = re.compile(r'^write\(-1, "pysock-(step|call|end)(?:: )?(.*)", \d+\)\s+= -1 EBADF')
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")


def available() -> Optional[str]:
    return shutil.which("strace")


@dataclass
class Group:
    """The system calls of one marked span: a step or a call (calls nest in steps)."""

    kind: str                      # "step", "call", or "" for unmarked activity
    label: str
    syscalls: List[str] = field(default_factory=list)
    calls: List["Group"] = field(default_factory=list)


def run(argv: Sequence[str], env: Dict[str, str], timeout: float = 60.0) -> Tuple[str, int, str]:
    """(strace's log, the command's exit status, its stdout+stderr)."""
    strace = available()
    if strace is None:
        raise FileNotFoundError("strace")
    with tempfile.TemporaryDirectory(prefix="pysock-trace-") as directory:
        log = os.path.join(directory, "strace.log")
        done = subprocess.run([strace, "-f", "-qq", "-s", "200", "-e", f"trace={SYSCALLS}",
                               "-o", log, *argv], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
        with open(log, encoding="utf-8", errors="replace") as f:
            return f.read(), done.returncode, done.stdout


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


_FD_CALLS = {"read", "write", "close", "fcntl", "ioctl", "dup", "dup2", "dup3", "sendfile",
             "epoll_ctl"}
_NEW_FD = re.compile(r"^(socket|accept4?|dup[23]?|fcntl)\(.*\) = (\d+)")
_PAIR = re.compile(r"^socketpair\(.*\[(\d+), (\d+)\]\) = 0")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.){16})(?:[^"\\]|\\.)+"(\.\.\.)?')


class _Sockets:
    """Which descriptors are sockets, from the calls that make them: reads,
    writes and closes of anything else (a module being imported, stdout)
    are not what a student is looking for."""

    def __init__(self) -> None:
        self.fds: set = set()

    def interesting(self, name: str, text: str) -> bool:
        if name in _FD_CALLS:
            match = re.match(r"\w+\((\d+)", text)
            if not match or match.group(1) not in self.fds:
                return False
        if name not in _FD_CALLS and name not in NETWORK and name not in (
                "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"):
            return True  # clone, wait4, kill, setitimer: process and timer events
        return True

    def note(self, text: str) -> None:
        made = _NEW_FD.match(text)
        if made and (made.group(1) != "fcntl" or "F_DUPFD" in text):
            self.fds.add(made.group(2))
        pair = _PAIR.match(text)
        if pair:
            self.fds.update(pair.groups())
        if text.startswith("close(") and text.endswith(" = 0"):
            self.fds.discard(text[6:text.index(")")])


def shorten_strings(text: str) -> str:
    """Data strings cut to 16 characters: the call matters, not the bytes."""
    return _QUOTED.sub(lambda m: f'"{m.group(1)}"...', text)


def parse(log: str, steps_only: bool = False) -> List[Group]:
    """The trace as groups: everything between a step (or call) marker and its
    end, in order.  Activity outside any marker is dropped, except network
    calls made outside every traced call (shown under an unnamed group),
    and with `steps_only` everything outside the steps."""
    groups: List[Group] = []
    sockets = _Sockets()
    step: Optional[Group] = None
    calls: Dict[str, Optional[Group]] = {}   # pid -> the call it is in
    pending: Dict[str, str] = {}             # pid -> an unfinished call's start
    for raw in log.splitlines():
        match = _LINE.match(raw)
        if not match:
            continue
        pid, body = match.groups()
        if body.endswith("<unfinished ...>"):
            pending[pid] = body[: -len("<unfinished ...>")].rstrip()
            continue
        resumed = _RESUMED.match(body)
        if resumed:
            start, rest = pending.pop(pid, resumed.group(1) + "("), resumed.group(2)
            joint = "" if start.endswith("(") or rest.startswith((")", ",")) else " "
            body = start + joint + rest
        marker = _MARK.match(body)
        if marker:
            kind, label = marker.group(1), _unescape(marker.group(2))
            if kind == "step":
                step = Group("step", label)
                groups.append(step)
            elif kind == "call":
                call = Group("call", label)
                calls[pid] = call
                if step is not None:
                    step.calls.append(call)
                elif not steps_only:
                    groups.append(call)
            elif calls.get(pid) is not None:
                calls[pid] = None
            else:
                step = None
            continue
        if body.startswith("---") or body.startswith("+++"):
            text = body.strip("-+ ").strip()
            target = calls.get(pid) or step
            if target is not None:
                target.syscalls.append(text)
            continue
        call_match = _CALL.match(body)
        if not call_match:
            continue
        text = re.sub(r"\s+=\s+", " = ", body)
        wanted = sockets.interesting(call_match.group(1), text)
        sockets.note(text)
        if not wanted:
            continue
        text = shorten_strings(text)
        target = calls.get(pid)
        if target is None and step is not None:
            target = step
        if target is None:
            if call_match.group(1) not in NETWORK or steps_only:
                continue
            if not groups or groups[-1].kind:
                groups.append(Group("", "(outside the traced calls)"))
            target = groups[-1]
        target.syscalls.append(text)
    for group in groups:
        group.calls = merge_repeats(group.calls)
    return merge_repeats(groups)


def merge_repeats(groups: List[Group]) -> List[Group]:
    """Runs of the same call (a reader thread's recv loop) as one group, "×N"."""
    merged: List[Group] = []
    count = 0
    for group in groups:
        last = merged[-1] if merged else None
        if (last is not None and group.kind == "call" and last.kind == "call"
                and re.sub(r" ×\d+$", "", last.label) == group.label and not group.calls):
            count += 1
            last.label = f"{group.label} ×{count}"
            last.syscalls += group.syscalls
            continue
        count = 1
        merged.append(group)
    return merged
