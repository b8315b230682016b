/* fmt.c — stub. */
#include "fmt.h"
