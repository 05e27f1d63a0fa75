/*
 * hello_client: the seed 004 client, corrected.  It sends "Hello from
 * client" (after --delay milliseconds) and prints the server's answer.
 *
 *   ./hello_client [--host 127.0.0.1] [--port 12345] [--delay MS]
 *
 * What changed from the seed: the address is zeroed with 0, not the
 * character '0' (memset(&serv_addr, '0', ...) fills it with 0x30 bytes);
 * send() and read() results are checked; the buffer is terminated.
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 12345};
    lab_parse(argc, argv, "Hpd", "[--host HOST] [--port PORT] [--delay MS]", &o);
    lab_start();

    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        lab_die("socket");
    struct sockaddr_in serv_addr;
    memset(&serv_addr, 0, sizeof(serv_addr));
    serv_addr.sin_family = AF_INET;
    serv_addr.sin_port = htons((uint16_t)o.port);
    if (inet_pton(AF_INET, o.host, &serv_addr.sin_addr) <= 0) {
        fprintf(stderr, "Invalid address/ Address not supported: %s\n", o.host);
        return 1;
    }
    if (connect(sock, (struct sockaddr *)&serv_addr, sizeof(serv_addr)) < 0)
        lab_die("connect");

    lab_sleep_ms(o.delay_ms);
    const char *message = "Hello from client";
    if (lab_send_all(sock, message, strlen(message)) < 0)
        lab_die("send");
    printf("Hello message sent to server\n");

    char buffer[1024];
    ssize_t valread = read(sock, buffer, sizeof(buffer) - 1);
    if (valread < 0)
        lab_die("read");
    buffer[valread] = '\0';
    printf("%s\n", buffer);
    if (close(sock) < 0)
        lab_die("close");
    return 0;
}
