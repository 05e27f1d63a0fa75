/*
 * byteorder: host byte order, htons/htonl, and the text <-> binary address
 * conversions, for the numbers and strings given (or a teaching set).
 *
 *   ./byteorder [NUMBER|ADDRESS...]      e.g. ./byteorder 12345 127.1 ::1
 *
 * NUMBERs are decimal or 0x-hex; anything else is an ADDRESS.  What it shows:
 *   - htons/htonl swap the bytes on a little-endian host, do nothing on a
 *     big-endian one; the network order is big-endian.
 *   - inet_pton accepts only the dotted quad a.b.c.d for AF_INET (and IPv6
 *     text for AF_INET6); inet_aton is IPv4 only and also accepts the old
 *     forms "127.1", "0x7f.1" and octal "010.0.0.1" (= 8.0.0.1).
 *   - inet_addr returns INADDR_NONE (0xffffffff) on error, which is also
 *     the valid address 255.255.255.255: the two cannot be told apart.
 */
#include "lab.h"

static void show_bytes(const unsigned char *b, size_t n, int family)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(family, b, text, sizeof(text)) == NULL)
        lab_die("inet_ntop");
    printf(" (inet_ntop: %s)\n", text);
}

static void show_address(const char *s)
{
    unsigned char b[16];
    printf("inet_pton(AF_INET, \"%s\") = ", s);
    int r = inet_pton(AF_INET, s, b);
    if (r < 0)
        lab_die("inet_pton");
    if (r == 0)
        printf("0: not a dotted quad\n");
    else
        show_bytes(b, 4, AF_INET);
    if (strchr(s, ':') != NULL) {
        printf("inet_pton(AF_INET6, \"%s\") = ", s);
        r = inet_pton(AF_INET6, s, b);
        if (r < 0)
            lab_die("inet_pton");
        if (r == 0)
            printf("0: not an IPv6 address\n");
        else
            show_bytes(b, 16, AF_INET6);
    }
    struct in_addr a;
    printf("inet_aton(\"%s\") = ", s);
    if (inet_aton(s, &a) == 0)
        printf("0: not an IPv4 address\n");
    else
        show_bytes((const unsigned char *)&a, 4, AF_INET);
    in_addr_t v = inet_addr(s);
    printf("inet_addr(\"%s\") = 0x%08x", s, (unsigned)v);
    if (v == INADDR_NONE)
        printf(" = INADDR_NONE: an error, or 255.255.255.255?");
    printf("\n");
}

int main(int argc, char **argv)
{
    struct lab_options o = {0};
    lab_parse(argc, argv, "", "[NUMBER|ADDRESS...]", &o);
    lab_start();
    char *teaching[] = {"0x1234", "12345", "0x12345678", "127.0.0.1", "127.1", "0x7f.1",
                        "010.0.0.1", "255.255.255.255", "1.2.3.256", "::1"};
    char **items = o.nargs ? o.args : teaching;
    int count = o.nargs ? o.nargs : (int)(sizeof(teaching) / sizeof(teaching[0]));

    uint16_t probe = 1;
    printf("host byte order: %s\n",
           *(unsigned char *)&probe == 1 ? "little-endian" : "big-endian");
    for (int i = 0; i < count; i++) {
        const char *s = items[i];
        int hex = strncmp(s, "0x", 2) == 0 && strchr(s, '.') == NULL;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
        if (s[0] != '\0' && s[0] != '-' && *end == '\0' && errno == 0 && v <= 0xffffffffULL) {
            if (v <= 0xffff)
                printf("htons(0x%04llx) = 0x%04x\n", v, (unsigned)htons((uint16_t)v));
            printf("htonl(0x%08llx) = 0x%08x\n", v, (unsigned)htonl((uint32_t)v));
        }
        else {
            show_address(s);
        }
    }
    return 0;
}
