#ifndef SCRAPER_CZLIB_SHIM_H
#define SCRAPER_CZLIB_SHIM_H
#include <zlib.h>
/* deflateInit2 is a macro; Swift needs a function. */
static inline int scraper_deflate_init_gzip(z_streamp s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int scraper_inflate_init_gzip(z_streamp s) { return inflateInit2(s, 15 + 32); }
/* Raw DEFLATE (no header), as ZIP members hold it. */
static inline int scraper_inflate_init_raw(z_streamp s) { return inflateInit2(s, -15); }
static inline int scraper_deflate_init_raw(z_streamp s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
#endif
