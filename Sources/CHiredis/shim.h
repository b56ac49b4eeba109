#ifndef SCRAPER_CHIREDIS_SHIM_H
#define SCRAPER_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
