#ifndef KUBELITE_CSODIUM_SHIM_H
#define KUBELITE_CSODIUM_SHIM_H
// libsodium, for the secretbox encryption-at-rest provider: XSalsa20-Poly1305 in NaCl's secretbox
// layout (tag, then ciphertext), the layout Go's golang.org/x/crypto/nacl/secretbox writes.
#include <sodium.h>
#endif
