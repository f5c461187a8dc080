#ifndef KUBELITE_CMICROHTTPD_SHIM_H
#define KUBELITE_CMICROHTTPD_SHIM_H
// microhttpd.h expects these platform headers first on Linux.
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
// eventfd, which stops the hangup monitor's thread (not in Swift's Glibc module).
#include <sys/eventfd.h>
#include <microhttpd.h>
// GnuTLS, which libmicrohttpd serves HTTPS with: only to read a TLS client's certificate chain.
#include <gnutls/gnutls.h>
// MHD_get_connection_info is variadic, which Swift cannot call: this fixed-argument wrapper gives
// the client's socket address (NULL if libmicrohttpd has none).
static inline const struct sockaddr *kubelite_connection_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}
// MHD_upgrade_action is variadic too: this hands an upgraded (WebSocket) socket back to
// libmicrohttpd, which closes it; the application must never close() it itself.
static inline enum MHD_Result kubelite_upgrade_close(struct MHD_UpgradeResponseHandle *urh) {
    return MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}
// The connection's socket, or -1: watched for the client hanging up while the connection is suspended.
static inline int kubelite_connection_socket(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}
// The DER certificates a TLS client presented (leaf first), or 0 for a plain connection or a client
// that sent none. libmicrohttpd asks for (never requires) a client certificate when given a trust list;
// GnuTLS has not judged it (GNUTLS_CERT_REQUEST): the authenticator verifies it. The datums stay
// owned by the session and valid while the connection is.
static inline unsigned kubelite_connection_peer_certificates(struct MHD_Connection *connection, const gnutls_datum_t **out) {
    *out = NULL;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info == NULL || info->tls_session == NULL) return 0;
    unsigned int count = 0;
    const gnutls_datum_t *list = gnutls_certificate_get_peers((gnutls_session_t)info->tls_session, &count);
    if (list == NULL) return 0;
    *out = list;
    return count;
}
#endif
