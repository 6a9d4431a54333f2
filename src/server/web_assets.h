/* web_assets.h -- the test page's files (web/), compiled into dnsleakd by scripts/embed.sh. */
#ifndef DL_WEB_ASSETS_H
#define DL_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* "/index.html" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
	const char *etag; /* quoted, as sent */
};

/* web_assets_count entries, then one all-zero entry. */
extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

#endif
