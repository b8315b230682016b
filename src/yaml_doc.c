/* yaml_doc.c — stub. */
#include "yaml_doc.h"
