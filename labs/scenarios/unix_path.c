/* unix-path: a UNIX socket's path outlives the socket; sun_path is short. */
#include "scenario.h"

#include <sys/un.h>

static int bind_path(int fd, const char *path)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -2; /* checked here: strcpy() would overflow sun_path */
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    return bind(fd, (struct sockaddr *)&addr, sizeof(addr));
}

static int unix_socket(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        scenario_die("socket");
    return fd;
}

int main(void)
{
    scenario_start();
    char dir[] = "/tmp/pysock-XXXXXX";
    if (mkdtemp(dir) == NULL)
        scenario_die("mkdtemp");
    char path[64];
    snprintf(path, sizeof(path), "%s/lab.sock", dir);
    struct step s;

    int fd = unix_socket();
    step_begin(&s, "bind a UNIX socket to a path");
    step_ret(&s, bind_path(fd, path));
    if (close(fd) < 0)
        scenario_die("close");
    step_begin(&s, "after close(), is the file still there?");
    step_value(&s, access(path, F_OK) == 0 ? "yes" : "no");
    fd = unix_socket();
    step_begin(&s, "bind a new socket to the same path");
    step_ret(&s, bind_path(fd, path));
    step_begin(&s, "unlink() the path, then bind");
    if (unlink(path) < 0)
        scenario_die("unlink");
    step_ret(&s, bind_path(fd, path));
    if (close(fd) < 0 || unlink(path) < 0)
        scenario_die("cleanup");

    char longer[256];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer, "/tmp/", 5);
    fd = unix_socket();
    step_begin(&s, "a path longer than sun_path");
    if (bind_path(fd, longer) == -2)
        step_emit(&s, "= rejected", "checked before bind(): too long", 0, -1);
    else
        step_ret(&s, -1);
    if (close(fd) < 0 || rmdir(dir) < 0)
        scenario_die("cleanup");
    return 0;
}
