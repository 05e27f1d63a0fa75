"""fork-reap: a child that exited stays a zombie until its parent waits."""

import os

TITLE = "forked servers must reap their children"
TEACHES = """A process that exits stays in the process table as a zombie until
its parent collects its status with wait()/waitpid().  A forked server that
never waits fills the table with zombies, one per client served.  Reap them
from a SIGCHLD handler with waitpid(-1, WNOHANG) in a loop, as echo_forked
does in both languages; os.fork() and os.waitpid() are the same calls."""
WHY = {}

CHILDREN = 3


def zombies(pids):
    """How many of the children are zombies, read from /proc (Linux)."""
    count = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                line = f.read()
        except FileNotFoundError:
            continue  # gone: reaped
        # "pid (comm) state ...": the state follows the last ')'.
        count += line[line.rindex(")") + 2] == "Z"
    return count


def run(socket, step):
    pids = []
    with step("fork 3 children that exit at once") as s:
        for _ in range(CHILDREN):
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            pids.append(pid)
        s.value(str(CHILDREN))
    for pid in pids:  # wait until each has exited, reaping none
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    if not os.path.exists("/proc/self/stat"):
        raise RuntimeError("no /proc: cannot count zombies here")
    with step("zombies before waitpid()") as s:
        s.value(str(zombies(pids)))
    with step("waitpid() each child") as s:
        reaped = sum(os.waitpid(pid, 0)[0] == pid for pid in pids)
        s.value(f"{reaped} reaped")
    with step("zombies after waitpid()") as s:
        s.value(str(zombies(pids)))
