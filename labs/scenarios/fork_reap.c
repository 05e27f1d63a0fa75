/* fork-reap: a child that exited stays a zombie until its parent waits. */
#include "scenario.h"

#include <sys/wait.h>

#define CHILDREN 3

/* How many of the children are zombies, read from /proc (Linux). */
static int zombies(const pid_t *pids)
{
    int count = 0;
    for (int i = 0; i < CHILDREN; i++) {
        char path[64], state = '?';
        snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pids[i]);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* gone: reaped */
        /* "pid (comm) state ...": the state follows the last ')'. */
        char line[512];
        if (fgets(line, sizeof(line), f) != NULL) {
            char *close_paren = strrchr(line, ')');
            if (close_paren != NULL && close_paren[1] == ' ')
                state = close_paren[2];
        }
        fclose(f);
        count += state == 'Z';
    }
    return count;
}

int main(void)
{
    scenario_start();
    pid_t pids[CHILDREN];
    struct step s;
    step_begin(&s, "fork 3 children that exit at once");
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            scenario_die("fork");
        if (pids[i] == 0)
            _exit(0);
    }
    step_value(&s, "%d", CHILDREN);
    for (int i = 0; i < CHILDREN; i++) { /* wait until each has exited, reaping none */
        siginfo_t info;
        if (waitid(P_PID, (id_t)pids[i], &info, WEXITED | WNOWAIT) < 0)
            scenario_die("waitid");
    }
    if (access("/proc/self/stat", F_OK) != 0) {
        fprintf(stderr, "no /proc: cannot count zombies here\n");
        return 1;
    }
    step_begin(&s, "zombies before waitpid()");
    step_value(&s, "%d", zombies(pids));
    step_begin(&s, "waitpid() each child");
    int reaped = 0;
    for (int i = 0; i < CHILDREN; i++)
        reaped += waitpid(pids[i], NULL, 0) == pids[i];
    step_value(&s, "%d reaped", reaped);
    step_begin(&s, "zombies after waitpid()");
    step_value(&s, "%d", zombies(pids));
    return 0;
}
