/*
 * warehouse_types.h — the table of warehouse types: for each, how its
 * connector opens from lac.yaml's settings.  The rest of the row lives
 * where its first reader can include it: the settings each type takes in
 * project/wh_kind.c (the lac.yaml loader), its dialect in the dialect's own
 * table (sql/dialect_<name>.c: .warehouse, found by dialect_for_warehouse).
 * A new connector is one file and one row here.
 */
#ifndef LAC_WAREHOUSE_TYPES_H
#define LAC_WAREHOUSE_TYPES_H

#include "warehouse/warehouse.h"

struct warehouse_type_row {
	enum warehouse_type type;
	/* Connect with the project's settings (already checked against
	 * wh_kind.c). */
	int (*open)(struct project *p, unsigned access, struct warehouse *w, struct strbuf *err);
};

/* The row of type t (every enum warehouse_type has one). */
const struct warehouse_type_row *warehouse_type_row(enum warehouse_type t);

#endif
