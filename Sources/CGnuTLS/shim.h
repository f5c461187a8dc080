#ifndef KUBELITE_CGNUTLS_SHIM_H
#define KUBELITE_CGNUTLS_SHIM_H
// GnuTLS as the etcd client's TLS (--etcd-cafile, --etcd-certfile, --etcd-keyfile); the same
// library libmicrohttpd serves HTTPS with, so nothing new is linked.
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

// gnutls_free is a variable holding a function pointer, and gnutls_transport_set_int a macro:
// neither is callable from Swift as it is.
static inline void kubelite_gnutls_free(void *pointer) { gnutls_free(pointer); }
static inline void kubelite_gnutls_set_socket(gnutls_session_t session, int fd) { gnutls_transport_set_int(session, fd); }
#endif
