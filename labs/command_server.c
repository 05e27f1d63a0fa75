/*
 * command_server: the lecture's remote-command server, made safe.  A client
 * sends one line naming a command; the server runs it with its output going
 * straight into the connection (dup2 onto stdout and stderr), then closes.
 *
 *   ./command_server [--host 127.0.0.1] [--port 5023] [--count N]
 *
 * Why it is safe where the lecture's example is not:
 *   - it binds to loopback unless told otherwise;
 *   - only the read-only commands in the table below run, each with a fixed
 *     argument list: the client chooses a name, never a command line;
 *   - execvp() runs the program directly, never through a shell, so no
 *     character the client sends is ever interpreted;
 *   - a request is one line of at most 64 bytes, and a command that runs for
 *     more than 5 seconds is killed (alarm() survives exec).
 */
#include "lab.h"

#include <fcntl.h>
#include <sys/time.h>
#include <sys/wait.h>

struct command {
    const char *name;
    const char *argv[4];
};

static const struct command commands[] = {
    {"date", {"date", NULL}},
    {"hostname", {"hostname", NULL}},
    {"ls", {"ls", "-1", "/", NULL}},
    {"uname", {"uname", "-sr", NULL}},
    {"uptime", {"uptime", NULL}},
    {"whoami", {"id", "-un", NULL}},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define MAX_REQUEST 64

/* Reads one request line; returns its length or -1 (too long, or EOF first). */
static ssize_t read_request(int fd, char *line, size_t size)
{
    size_t len = 0;
    while (len < size - 1) {
        ssize_t n = recv(fd, line + len, 1, 0); /* byte by byte: stop at '\n' */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    return len == size - 1 ? -1 : (ssize_t)len;
}

static void say(int fd, const char *text)
{
    if (lab_send_all(fd, text, strlen(text)) < 0)
        perror("send");
}

static void run(int client, const struct command *cmd)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        say(client, "the server could not start the command\n");
        return;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(client, STDOUT_FILENO) < 0
            || dup2(client, STDERR_FILENO) < 0)
            _exit(126);
        alarm(5);
        execvp(cmd->argv[0], (char *const *)cmd->argv);
        /* exec failed (e.g. the program is not installed): tell the client,
           and leave without running anything of the parent's (_exit). */
        printf("the server could not run '%s'\n", cmd->name);
        fflush(stdout);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return;
        }
    }
}

/*
 * Ends a connection without losing the answer: close() with unread input
 * (the rest of a request that was too long) makes the kernel send RST, and
 * the client may then get ECONNRESET instead of what we sent.  So: FIN
 * first, then read and drop what is left (for one second at most), then
 * close.
 */
static void finish(int client)
{
    if (shutdown(client, SHUT_WR) < 0) {
        perror("shutdown");
        return;
    }
    struct timeval limit = {1, 0};
    if (setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit)) < 0) {
        perror("setsockopt(SO_RCVTIMEO)");
        return;
    }
    char drop[4096];
    for (int total = 0; total < 65536;) {
        ssize_t n = recv(client, drop, sizeof(drop), 0);
        if (n <= 0 && !(n < 0 && errno == EINTR))
            break;
        total += n > 0 ? (int)n : 0;
    }
}

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 5023};
    lab_parse(argc, argv, "Hpn", "[--host HOST] [--port PORT] [--count N]", &o);
    lab_start();
    lab_on_stop();

    int server = lab_tcp_listen(o.host, o.port, 5);
    int served = 0, client;
    struct sockaddr_in peer;
    while ((client = lab_accept(server, &peer, o.count, &served)) >= 0) {
        char name[64], line[MAX_REQUEST + 1];
        lab_peer(&peer, name, sizeof(name));
        ssize_t len = read_request(client, line, sizeof(line));
        const struct command *cmd = NULL;
        for (size_t i = 0; len >= 0 && i < NCOMMANDS; i++) {
            if (strcmp(line, commands[i].name) == 0)
                cmd = &commands[i];
        }
        if (len < 0) {
            printf("%s sent a request longer than %d bytes: refused\n", name, MAX_REQUEST);
            say(client, "request too long\n");
        }
        else if (cmd == NULL) {
            printf("%s asked for '%s': not allowed\n", name, line);
            char answer[256] = "unknown command; allowed:";
            for (size_t i = 0; i < NCOMMANDS; i++) {
                strcat(answer, " "); /* 6 short names: fits in 256 bytes */
                strcat(answer, commands[i].name);
            }
            strcat(answer, "\n");
            say(client, answer);
        }
        else {
            printf("%s asked for '%s': running it\n", name, line);
            run(client, cmd);
        }
        finish(client);
        if (close(client) < 0)
            lab_die("close");
    }
    if (close(server) < 0)
        lab_die("close");
    printf("Served %d clients.\n", served);
    return 0;
}
