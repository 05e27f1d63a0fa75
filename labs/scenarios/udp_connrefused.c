/* udp-connrefused: an ICMP "port unreachable" reaches only connected UDP
   sockets, as ECONNREFUSED on a later call. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int port = closed_port(SOCK_DGRAM);
    struct sockaddr_in to = loopback(port);
    char buf[16];
    struct step s;

    int loose = udp_socket();
    set_nonblocking(loose);
    step_begin(&s, "sendto a closed port (unconnected socket)");
    step_io(&s, sendto(loose, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)), NULL);
    wait_for(loose, POLLIN, 100); /* an error would show as POLLERR by now */
    step_begin(&s, "recv: no error reaches an unconnected socket");
    step_io(&s, recv(loose, buf, sizeof(buf), 0), buf);

    int fd = udp_socket();
    step_begin(&s, "connect the UDP socket to the closed port");
    step_ret(&s, connect(fd, (struct sockaddr *)&to, sizeof(to)));
    step_begin(&s, "send: accepted, the datagram goes out");
    step_io(&s, send(fd, "hello", 5, 0), NULL);
    wait_for(fd, POLLIN, 1000); /* the ICMP error arrives as POLLERR */
    step_begin(&s, "recv: the ICMP error, as ECONNREFUSED");
    step_io(&s, recv(fd, buf, sizeof(buf), 0), buf);

    step_begin(&s, "dissolve the association: connect(AF_UNSPEC)");
    struct sockaddr unspec;
    memset(&unspec, 0, sizeof(unspec));
    unspec.sa_family = AF_UNSPEC;
    step_ret(&s, connect(fd, &unspec, sizeof(unspec)));
    step_begin(&s, "send without an address now");
    step_io(&s, send(fd, "hello", 5, 0), NULL);
    int fds[] = {loose, fd};
    close_all(2, fds);
    return 0;
}
