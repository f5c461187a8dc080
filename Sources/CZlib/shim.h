#ifndef KUBELITE_CZLIB_SHIM_H
#define KUBELITE_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit and inflateInit are macros (they pass zlib's version and the stream's size), which
// Swift cannot call: these wrappers do what the macros do. SPDY/3 compresses header blocks at the
// best level with its dictionary (set by the caller).
static inline int kubelite_deflate_init(z_stream *stream, int level) {
    return deflateInit(stream, level);
}
static inline int kubelite_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
#endif
