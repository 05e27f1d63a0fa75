"""eintr: a signal handler interrupts a blocking call."""

import signal
import threading

from pysock.labs.scenarios.scenario import tcp_pair

TITLE = "EINTR: signals and blocking calls"
TEACHES = """When a signal handler runs while a process is blocked in recv(),
accept() and the like, C gets -1 with errno EINTR unless the handler was
installed with SA_RESTART, and must retry itself.  Python (3.5+, PEP 475)
runs the handler and retries the call for you: the recv() simply goes on
waiting, unless the handler raises an exception, which then comes out of
recv().  signal.siginterrupt(sig, False) asks for SA_RESTART."""
WHY = {
    "blocking recv, a signal handler runs (no SA_RESTART)":
        "C returns -1 EINTR to the program; Python runs the handler and retries "
        "the call (PEP 475), so recv waits for the data",
}


def interrupted_recv(socket, step, label, restart, client, server):
    """A SIGALRM after 30 ms, while recv() waits for data that comes at 150 ms
    (the margins are wide so that a busy machine cannot reorder the two)."""
    signal.signal(signal.SIGALRM, lambda signum, frame: None)
    signal.siginterrupt(signal.SIGALRM, not restart)
    sender = threading.Timer(0.15, server.sendall, (b"hello",))
    sender.start()
    signal.setitimer(signal.ITIMER_REAL, 0.03)
    try:
        with step(label) as s:
            s.returned(client.recv(16))
    finally:
        sender.join()


def run(socket, step):
    client, server = tcp_pair(socket)
    previous = signal.getsignal(signal.SIGALRM)
    try:
        with client, server:
            interrupted_recv(socket, step, "blocking recv, a signal handler runs (no SA_RESTART)",
                             False, client, server)
            interrupted_recv(socket, step, "the same with SA_RESTART", True, client, server)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
