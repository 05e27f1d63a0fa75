/*
 * Headers that define the constants listed in constants.txt.  Optional
 * Linux headers are included where present, so the same list builds on
 * glibc, musl and macOS; a name missing from every header is simply absent.
 */
#ifndef PYSOCK_CONSTANTS_H
#define PYSOCK_CONSTANTS_H

#include "pysock_internal.h"

#include <netinet/udp.h>

/* __has_include cannot hide behind a macro of ours: GCC only evaluates it
   where it is written, so each test below spells it out. */
#ifndef __has_include
#define __has_include(header) 0
#endif

#if __has_include(<net/ethernet.h>)
#include <net/ethernet.h>
#endif
#if __has_include(<netpacket/packet.h>)
#include <netpacket/packet.h>
#endif
#if __has_include(<linux/if_ether.h>)
#include <linux/if_ether.h>
#endif
#if __has_include(<linux/netlink.h>)
#include <linux/netlink.h>
#endif
#if __has_include(<linux/errqueue.h>)
#include <linux/errqueue.h>
#endif
#if __has_include(<linux/if_alg.h>)
#include <linux/if_alg.h>
#endif
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif
#if __has_include(<linux/tipc.h>)
#include <linux/tipc.h>
#define PS_HAVE_LINUX_TIPC_H 1
#endif
#if __has_include(<linux/can.h>)
#include <linux/can.h>
#define PS_HAVE_LINUX_CAN_H 1
#endif
#if __has_include(<linux/can/raw.h>)
#include <linux/can/raw.h>
#define PS_HAVE_LINUX_CAN_RAW_H 1
#endif
#if __has_include(<linux/can/bcm.h>)
#include <linux/can/bcm.h>
#define PS_HAVE_LINUX_CAN_BCM_H 1
#endif
#if __has_include(<linux/can/isotp.h>)
#include <linux/can/isotp.h>
#endif
#if __has_include(<linux/can/j1939.h>)
#include <linux/can/j1939.h>
#define PS_HAVE_LINUX_CAN_J1939_H 1
#endif

/* The C library the extension was built against, for `python -m pysock info`. */
#if defined(__GLIBC__)
#define PS_STR2(x) #x
#define PS_STR(x) PS_STR2(x)
#define PS_BUILD_LIBC "glibc " PS_STR(__GLIBC__) "." PS_STR(__GLIBC_MINOR__)
#elif defined(__APPLE__)
#define PS_BUILD_LIBC "macOS libSystem"
#elif defined(__linux__)
#define PS_BUILD_LIBC "musl (or another non-glibc Linux libc)"
#else
#define PS_BUILD_LIBC "unknown"
#endif

#endif /* PYSOCK_CONSTANTS_H */
