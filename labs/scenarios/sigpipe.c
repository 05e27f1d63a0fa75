/* sigpipe: writing to a connection the peer has closed. */
#include "scenario.h"

#include <sys/wait.h>

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    if (close(server) < 0)
        scenario_die("close");
    struct step s;

    step_begin(&s, "first send after the peer closed");
    step_io(&s, send(client, "hello", 5, 0), NULL);
    wait_for(client, 0, 1000); /* the peer's kernel answers with a reset */

    /* In a child, with SIGPIPE at its default action, as in any C program
       that does not change it: the send kills the process. */
    step_begin(&s, "second send, SIGPIPE as the runtime left it");
    pid_t pid = fork();
    if (pid < 0)
        scenario_die("fork");
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        ssize_t n = send(client, "hello", 5, 0);
        _exit(n < 0 ? 1 : 0); /* only reached if SIGPIPE did not kill us */
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        scenario_die("waitpid");
    if (WIFSIGNALED(status))
        step_signal(&s, WTERMSIG(status));
    else
        step_value(&s, "the child survived (exit %d)", WEXITSTATUS(status));

    step_begin(&s, "send with SIGPIPE ignored");
    step_io(&s, send(client, "hello", 5, 0), NULL);
    step_begin(&s, "send with MSG_NOSIGNAL");
    step_io(&s, send(client, "hello", 5, MSG_NOSIGNAL), NULL);
    close_all(1, &client);
    return 0;
}
