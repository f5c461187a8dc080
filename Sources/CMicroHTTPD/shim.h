#ifndef KUBELITE_CMICROHTTPD_SHIM_H
#define KUBELITE_CMICROHTTPD_SHIM_H
// microhttpd.h expects these platform headers first on Linux.
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <microhttpd.h>
#endif
