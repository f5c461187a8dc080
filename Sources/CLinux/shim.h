// Linux calls Glibc's Swift module does not import (they need _GNU_SOURCE or are variadic).
// _GNU_SOURCE itself is not defined here: it changes the layout glibc's shared headers give types
// such as fd_set (`fds_bits` instead of `__fds_bits`), and clang's modules then refuse a program
// importing this module beside another C module that includes the same headers without it
// (CMicroHTTPD, CZlib). The two GNU calls are declared instead, with glibc's signatures.
#ifndef KUBELITE_CLINUX_SHIM_H
#define KUBELITE_CLINUX_SHIM_H
#include <unistd.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/epoll.h>

extern int pipe2(int pipedes[2], int flags);
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

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
