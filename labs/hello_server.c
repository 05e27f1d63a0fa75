/*
 * hello_server: the seed 004 server, corrected.  It accepts one client, reads
 * its message with a blocking read() or, with --mode nonblocking, with
 * recv() on an O_NONBLOCK socket, prints it and answers "Hello from server".
 *
 *   ./hello_server [--host 127.0.0.1] [--port 12345] [--mode blocking|nonblocking]
 *
 * What changed from the seed, and why:
 *   - socket() fails with -1, not 0: the seed tested "== 0".
 *   - SO_REUSEADDR and SO_REUSEPORT are two options, so two setsockopt()
 *     calls: "SO_REUSEADDR | SO_REUSEPORT" is one option number (15 on
 *     Linux, which is SO_REUSEPORT alone), not a set of flags.
 *   - it binds to loopback: INADDR_ANY means every local address, not
 *     localhost.
 *   - the non-blocking read is -1 EAGAIN when the client has not sent yet;
 *     the seed printed an empty buffer then.  Here it says so and waits
 *     with poll() for the data.
 *   - every result is checked, and the buffer is terminated before printing.
 */
#include "lab.h"

#include <fcntl.h>
#include <poll.h>

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 12345, .mode = "blocking"};
    lab_parse(argc, argv, "Hpm", "[--host HOST] [--port PORT] [--mode blocking|nonblocking]", &o);
    int nonblocking = strcmp(o.mode, "nonblocking") == 0;
    if (!nonblocking && strcmp(o.mode, "blocking") != 0) {
        fprintf(stderr, "--mode must be blocking or nonblocking\n");
        return 2;
    }
    lab_start();

    int server_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (server_fd < 0)
        lab_die("socket");
    int opt = 1;
    if (setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &opt, sizeof(opt)) < 0)
        lab_die("setsockopt(SO_REUSEADDR)");
    if (setsockopt(server_fd, SOL_SOCKET, SO_REUSEPORT, &opt, sizeof(opt)) < 0)
        lab_die("setsockopt(SO_REUSEPORT)");
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)o.port);
    if (inet_pton(AF_INET, o.host, &address.sin_addr) <= 0) {
        fprintf(stderr, "%s: not a dotted-quad address\n", o.host);
        return 1;
    }
    if (bind(server_fd, (struct sockaddr *)&address, sizeof(address)) < 0)
        lab_die("bind");
    if (listen(server_fd, 3) < 0)
        lab_die("listen");
    printf("Server is listening on port %d...\n", lab_local_port(server_fd));

    socklen_t addrlen = sizeof(address);
    int new_socket = accept(server_fd, (struct sockaddr *)&address, &addrlen);
    if (new_socket < 0)
        lab_die("accept");

    char buffer[1024] = {0};
    ssize_t valread;
    if (!nonblocking) {
        valread = read(new_socket, buffer, sizeof(buffer) - 1);
    }
    else {
        int flags = fcntl(new_socket, F_GETFL);
        if (flags < 0 || fcntl(new_socket, F_SETFL, flags | O_NONBLOCK) < 0)
            lab_die("fcntl");
        valread = recv(new_socket, buffer, sizeof(buffer) - 1, 0);
        if (valread < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            printf("recv: %s (no data yet; waiting with poll)\n", strerror(errno));
            struct pollfd p = {.fd = new_socket, .events = POLLIN};
            if (poll(&p, 1, -1) < 0)
                lab_die("poll");
            valread = recv(new_socket, buffer, sizeof(buffer) - 1, 0);
        }
    }
    if (valread < 0)
        lab_die("read");
    buffer[valread] = '\0';
    printf("%s\n", buffer);

    const char *message = "Hello from server";
    if (lab_send_all(new_socket, message, strlen(message)) < 0)
        lab_die("send");
    printf("Hello message sent to client\n");
    if (close(new_socket) < 0 || close(server_fd) < 0)
        lab_die("close");
    return 0;
}
