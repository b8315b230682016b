/*
 * warehouse/error_position.h — where in a statement an HTTP warehouse says
 * its error lies.  Their APIs give no structured field for it: each vendor
 * writes it into the message text in its own documented form, read here
 * and turned into the character position warehouse_note_error_position
 * takes (the same channel as PostgreSQL's statement position).
 */
#ifndef LAC_WAREHOUSE_ERROR_POSITION_H
#define LAC_WAREHOUSE_ERROR_POSITION_H

#include <stdbool.h>

/* Each: the position msg names, as *line and *col counted from 1, or
 * false (both untouched) when msg names none. */
/* Snowflake: "error line L at position P" (P counted from 0). */
bool wh_snowflake_error_at(const char *msg, long *line, long *col);
/* BigQuery: "... at [L:C]" (both from 1; the last such in msg). */
bool wh_bigquery_error_at(const char *msg, long *line, long *col);
/* Databricks (Spark): "line L pos P" or "line L, pos P" (P from 0). */
bool wh_databricks_error_at(const char *msg, long *line, long *col);

/* The position of line:col (characters, both from 1) of sql, counted in
 * characters from 1; 0 when sql has no such line or column. */
long wh_line_col_position(const char *sql, long line, long col);

#endif
