/* byte-order: htons/htonl and the text <-> binary address conversions. */
#include "scenario.h"

static void rejected(struct step *s, const char *shown)
{
    step_emit(s, "= rejected", shown, 0, -1);
}

int main(void)
{
    scenario_start();
    struct step s;
    struct in_addr a;
    unsigned char six[16];
    char text[INET6_ADDRSTRLEN];

    step_begin(&s, "host byte order");
    uint16_t probe = 1;
    step_value(&s, *(unsigned char *)&probe == 1 ? "little-endian" : "big-endian");
    step_begin(&s, "htons(0x1234)");
    step_value(&s, "0x%04x", (unsigned)htons(0x1234));
    step_begin(&s, "htonl(0x12345678)");
    step_value(&s, "0x%08x", (unsigned)htonl(0x12345678));

    step_begin(&s, "inet_pton(AF_INET, \"127.1\")");
    int r = inet_pton(AF_INET, "127.1", &a);
    if (r == 1)
        step_value(&s, "%s", inet_ntoa(a));
    else
        rejected(&s, "0");
    step_begin(&s, "inet_aton(\"127.1\")");
    if (inet_aton("127.1", &a))
        step_value(&s, "%s", inet_ntoa(a));
    else
        rejected(&s, "0");
    step_begin(&s, "inet_aton(\"010.0.0.1\"): octal");
    if (inet_aton("010.0.0.1", &a))
        step_value(&s, "%s", inet_ntoa(a));
    else
        rejected(&s, "0");
    step_begin(&s, "inet_aton(\"::1\"): IPv4 only");
    if (inet_aton("::1", &a))
        step_value(&s, "%s", inet_ntoa(a));
    else
        rejected(&s, "0");
    step_begin(&s, "inet_pton(AF_INET6, \"::1\")");
    if (inet_pton(AF_INET6, "::1", six) == 1 && inet_ntop(AF_INET6, six, text, sizeof(text)))
        step_value(&s, "%s", text);
    else
        rejected(&s, "0");
    step_begin(&s, "inet_addr(\"255.255.255.255\")");
    step_value(&s, "0x%08x", (unsigned)inet_addr("255.255.255.255"));
    step_begin(&s, "inet_addr(\"1.2.3.256\"): an error");
    step_value(&s, "0x%08x", (unsigned)inet_addr("1.2.3.256"));
    return 0;
}
