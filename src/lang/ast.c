/*
 * ast.c — names of AST enums, shared by fmt, diagnostics and SQL comments.
 */
#include "lang/ast.h"

const char *time_unit_name(enum time_unit u, long amount)
{
	static const char *const one[] = { "minute", "hour", "day", "week" };
	static const char *const many[] = { "minutes", "hours", "days", "weeks" };
	return amount == 1 ? one[u] : many[u];
}

long time_unit_seconds(enum time_unit u)
{
	static const long secs[] = { 60, 3600, 86400, 604800 };
	return secs[u];
}

const char *cmp_op_text(enum cmp_op op)
{
	static const char *const text[] = { "=", "!=", "<", ">", "<=", ">=" };
	return text[op];
}

const char *trigger_name(enum trigger_kind t)
{
	switch (t) {
	case TRIG_NONE: return "none";
	case TRIG_PROFILE_ENTERED: return "profile entered";
	case TRIG_PROFILE_EXITED: return "profile exited";
	case TRIG_ENTITY_ADDED: return "entity added";
	case TRIG_ENTITY_REMOVED: return "entity removed";
	case TRIG_ENTITY_ENTERED: return "entity entered";
	case TRIG_ENTITY_EXITED: return "entity exited";
	case TRIG_MEMBERSHIP_CHANGED: return "membership changed";
	case TRIG_MEMBERSHIP_OR_VALUES_CHANGED: return "membership or values changed";
	}
	return "none";
}
