// Linux calls Glibc's Swift module does not import (they need _GNU_SOURCE or are variadic).
#ifndef KUBELITE_CLINUX_SHIM_H
#define KUBELITE_CLINUX_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <unistd.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/epoll.h>

// Marks every descriptor from `first` up close-on-exec in one call (close_range with
// CLOSE_RANGE_CLOEXEC, Linux 5.11). Returns 0, or -1 with errno.
static inline int kubelite_close_on_exec_from(unsigned int first) {
    return (int)syscall(SYS_close_range, first, ~0U, 1U << 2);
}
// A pipe whose ends are close-on-exec from the start, so no process spawned meanwhile by another
// thread inherits them.
static inline int kubelite_pipe_close_on_exec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
// Accepts a connection that is non-blocking and close-on-exec from the start (accept4), so no
// process spawned meanwhile by another thread inherits it.
static inline int kubelite_accept_nonblocking(int listener, struct sockaddr *address, socklen_t *length) {
    return accept4(listener, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif
