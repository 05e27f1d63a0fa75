/* eintr: a signal handler interrupts a blocking call. */
#include "scenario.h"

#include <pthread.h>
#include <sys/time.h>

static void on_alarm(int sig)
{
    (void)sig;
}

/* Sends "hello" on the descriptor after 150 ms. */
static void *late_sender(void *arg)
{
    struct timespec delay = {0, 150 * 1000000L};
    nanosleep(&delay, NULL);
    if (send(*(int *)arg, "hello", 5, 0) != 5)
        scenario_die("send");
    return NULL;
}

/* A SIGALRM after 30 ms, while recv() waits for data that comes at 150 ms (the
   margins are wide so that a busy machine cannot reorder the two). */
static void interrupted_recv(struct step *s, const char *label, int flags, int client, int server)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        scenario_die("sigaction");
    pthread_t sender;
    if (pthread_create(&sender, NULL, late_sender, &server) != 0)
        scenario_die("pthread_create");
    struct itimerval timer = {{0, 0}, {0, 30000}};
    if (setitimer(ITIMER_REAL, &timer, NULL) < 0)
        scenario_die("setitimer");
    char buf[16];
    step_begin(s, label);
    step_io(s, recv(client, buf, sizeof(buf), 0), buf);
    if (pthread_join(sender, NULL) != 0)
        scenario_die("pthread_join");
    while (wait_for(client, POLLIN, 0) > 0) /* read what an interrupted recv left */
        if (recv(client, buf, sizeof(buf), 0) <= 0)
            break;
}

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    struct step s;
    interrupted_recv(&s, "blocking recv, a signal handler runs (no SA_RESTART)", 0, client, server);
    interrupted_recv(&s, "the same with SA_RESTART", SA_RESTART, client, server);
    signal(SIGALRM, SIG_DFL);
    int fds[] = {client, server};
    close_all(2, fds);
    return 0;
}
