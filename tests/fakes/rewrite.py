#!/usr/bin/python3
"""tests/fakes/rewrite.py — the test-only rewrite table: the SQL lac emits for
Snowflake, BigQuery, Databricks and Redshift, translated into PostgreSQL 15 so
the local fakes of those warehouses can answer with real rows.

Test code only; lac never uses it.  It covers exactly the constructs that
src/sql/dialect_<name>.c (each template is a row of FUNCTIONS below),
src/sql/gen.c and src/run/*.c emit, and nothing more: any other function,
statement, type, escape or vendor keyword raises Unsupported naming the
construct (a fake turns it into the vendor's error shape).  Nothing is
skipped silently, so a new template in a dialect table fails
tests/e2e/rewrite.sh until a row is added here.

The translation runs on a token tree (parenthesised groups), not on text, and
does not use sqlglot: measured alone, sqlglot's transpiler fails or silently
changes the result on about a third of the example statements.

Use:
    import rewrite
    db.execute(rewrite.PRELUDE)                       # once per database
    for stmt in rewrite.rewrite_script(text, "snowflake"):
        db.execute(stmt)
    # rewrite.Unsupported: e.construct names what is not covered

    rewrite.py -d DIALECT [FILE]     the statements of FILE (or stdin), rewritten
    rewrite.py --prelude             the helper functions the rewrites call

Translation rules that are not a plain rename:
- 3-part table names lose their first part (database, project or catalog), as
  in lac's postgres dialect; tests/pg/load.py creates <schema>.<table>.
- Quoted identifiers are folded the way the warehouse compares them:
  Snowflake's "UPPER" (the spelling of an unquoted name) becomes "upper";
  Redshift, BigQuery and Databricks compare identifiers case-insensitively,
  so theirs become lower case.
- String literals are decoded with the dialect's escapes and written as
  standard PostgreSQL literals.
- JSON columns are jsonb in the fakes' PostgreSQL (tests/pg/load.py);
  Redshift and Databricks read JSON held in text, so their reads parse the
  column's text and give NULL for invalid JSON, as the vendors do.
- Safe casts (TRY_TO_*, SAFE_CAST, try_cast) and the JSON validity tests call
  PRELUDE's functions in schema lac_rewrite (PostgreSQL 15 has neither).
- Snowflake's INFORMATION_SCHEMA.TABLES (the connector's table lookup) reads
  PRELUDE's view lac_rewrite.sf_tables, which spells names as Snowflake
  stores them (an unquoted name upper-cased); its LAST_ALTERED is what
  pg_backend.py noted in lac_rewrite.altered, read with
  DATE_PART(EPOCH_MILLISECOND, x).
- Databricks DESCRIBE DETAIL t becomes a SELECT of its first seven columns
  (lastModified from lac_rewrite.altered, see pg_backend.py).
- DDL PostgreSQL lacks becomes one DO block, so one statement stays one
  statement: Snowflake's ALTER TABLE a SWAP WITH b (three renames) and
  CREATE OR REPLACE TABLE (drop, then create; ... CLONE b copies b).
"""
import re
import sys

DIALECTS = ("snowflake", "bigquery", "databricks", "redshift")


class Unsupported(Exception):
    """A construct the rewrite table does not cover (construct names it)."""

    def __init__(self, dialect, construct):
        super().__init__("%s: not covered by the rewrite table: %s" % (dialect, construct))
        self.dialect = dialect
        self.construct = construct


# ---- helper functions in PostgreSQL ------------------------------------------

PRELUDE = r"""
CREATE SCHEMA IF NOT EXISTS lac_rewrite;
-- Snowflake's INFORMATION_SCHEMA.TABLES: an unquoted name is stored upper-cased
-- (the inverse of the folding of "UPPER" identifiers below)
-- When each table last changed, as the fakes saw it (pg_backend.py): lower-case names
CREATE TABLE IF NOT EXISTS lac_rewrite.altered (table_schema text, table_name text,
  at timestamptz NOT NULL, PRIMARY KEY (table_schema, table_name));
CREATE OR REPLACE VIEW lac_rewrite.sf_tables AS SELECT
  CASE WHEN t.table_schema = lower(t.table_schema) THEN upper(t.table_schema) ELSE t.table_schema END AS table_schema,
  CASE WHEN t.table_name = lower(t.table_name) THEN upper(t.table_name) ELSE t.table_name END AS table_name,
  a.at AS last_altered
  FROM information_schema.tables t LEFT JOIN lac_rewrite.altered a
  ON a.table_schema = lower(t.table_schema) AND a.table_name = lower(t.table_name);
CREATE OR REPLACE FUNCTION lac_rewrite.try_double(s text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
BEGIN RETURN CAST(s AS double precision); EXCEPTION WHEN others THEN RETURN NULL; END $f$;
CREATE OR REPLACE FUNCTION lac_rewrite.try_date(s text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
BEGIN RETURN CAST(s AS date); EXCEPTION WHEN others THEN RETURN NULL; END $f$;
CREATE OR REPLACE FUNCTION lac_rewrite.try_time(s text) RETURNS time
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
BEGIN RETURN CAST(s AS time); EXCEPTION WHEN others THEN RETURN NULL; END $f$;
CREATE OR REPLACE FUNCTION lac_rewrite.try_timestamp(s text) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
BEGIN RETURN CAST(s AS timestamp); EXCEPTION WHEN others THEN RETURN NULL; END $f$;
-- JSON held in text (Redshift VARCHAR, Databricks STRING): NULL when invalid
CREATE OR REPLACE FUNCTION lac_rewrite.json_or_null(s text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
BEGIN RETURN CAST(s AS jsonb); EXCEPTION WHEN others THEN RETURN NULL; END $f$;
-- Redshift IS_VALID_JSON / IS_VALID_JSON_ARRAY: an object / an array
CREATE OR REPLACE FUNCTION lac_rewrite.is_valid_json(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $f$
SELECT COALESCE(jsonb_typeof(lac_rewrite.json_or_null(s)) = 'object', FALSE) $f$;
CREATE OR REPLACE FUNCTION lac_rewrite.is_valid_json_array(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $f$
SELECT COALESCE(jsonb_typeof(lac_rewrite.json_or_null(s)) = 'array', FALSE) $f$;
-- Databricks json_object_keys / json_array_length: NULL unless an object / array
CREATE OR REPLACE FUNCTION lac_rewrite.json_object_keys(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT AS $f$
SELECT CASE WHEN jsonb_typeof(lac_rewrite.json_or_null(s)) = 'object'
THEN ARRAY(SELECT jsonb_object_keys(lac_rewrite.json_or_null(s))) END $f$;
CREATE OR REPLACE FUNCTION lac_rewrite.json_array_length(s text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT AS $f$
SELECT CASE WHEN jsonb_typeof(lac_rewrite.json_or_null(s)) = 'array'
THEN jsonb_array_length(lac_rewrite.json_or_null(s)) END $f$;
"""

# ---- tokens and the tree ------------------------------------------------------


class Tok:
    """kind: word, ident (quoted identifier, value = its name), str (value =
    the decoded text), num, op, punct.  ws: the whitespace before it."""

    def __init__(self, kind, text, value=None, ws=""):
        self.kind, self.text, self.value, self.ws = kind, text, value, ws

    def is_word(self, *words):
        return self.kind == "word" and (not words or self.text.upper() in words)

    def is_op(self, *ops):
        return self.kind in ("op", "punct") and self.text in ops

    def __repr__(self):
        return "Tok(%s %r)" % (self.kind, self.text)


class Group:
    """A parenthesised ( ... ) or bracketed [ ... ] run of items."""

    kind = "group"

    def __init__(self, open_, items, ws):
        self.open, self.items, self.ws = open_, items, ws

    def is_word(self, *words):
        return False

    def is_op(self, *ops):
        return False


OPS2 = ("::", "<>", ">=", "<=", "!=", "||", "=>")
# escapes inside string literals, per dialect (lac's dialect.c writers)
ESCAPES = {
    # dialect_string_backslash: \\ and ''
    "snowflake": {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t"},
    "redshift": {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t"},
    # dialect_string_backslash_all: \\ \' \n \r ('' is not an escape there)
    "bigquery": {"\\": "\\", "'": "'", "\"": "\"", "n": "\n", "r": "\r", "t": "\t"},
    "databricks": {"\\": "\\", "'": "'", "\"": "\"", "n": "\n", "r": "\r", "t": "\t"},
}


def tokenize(sql, dialect):
    toks, i, n, ws = [], 0, len(sql), ""
    while i < n:
        c = sql[i]
        if c.isspace():
            ws += c
            i += 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            ws += " "
            i = j
            continue
        start = i
        if c == "'":
            text, i = _string(sql, i, dialect)
            toks.append(Tok("str", sql[start:i], text, ws))
        elif c == '"' and dialect in ("snowflake", "redshift"):
            name, i = _quoted(sql, i, '"', backslash=False, dialect=dialect)
            toks.append(Tok("ident", sql[start:i], name, ws))
        elif c == "`" and dialect in ("bigquery", "databricks"):
            name, i = _quoted(sql, i, "`", backslash=dialect == "bigquery", dialect=dialect)
            toks.append(Tok("ident", sql[start:i], name, ws))
        elif c.isalpha() or c == "_":
            m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(sql, i)
            i = m.end()
            toks.append(Tok("word", m.group(), None, ws))
        elif c.isdigit():
            m = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?").match(sql, i)
            i = m.end()
            toks.append(Tok("num", m.group(), None, ws))
        elif sql[i:i + 2] in OPS2:
            i += 2
            toks.append(Tok("op", sql[start:i], None, ws))
        elif c in "()[],;.":
            i += 1
            toks.append(Tok("punct", c, None, ws))
        elif c in "=<>+-*/%~":
            i += 1
            toks.append(Tok("op", c, None, ws))
        else:
            raise Unsupported(dialect, "character %r" % c)
        ws = ""
    return toks


def _string(sql, i, dialect):
    """The literal at sql[i] (a quote): its decoded text and the end."""
    out, i, esc = [], i + 1, ESCAPES[dialect]
    while True:
        if i >= len(sql):
            raise Unsupported(dialect, "unterminated string literal")
        c = sql[i]
        if c == "\\":
            e = sql[i + 1:i + 2]
            if e not in esc:
                raise Unsupported(dialect, "string escape \\%s" % e)
            out.append(esc[e])
            i += 2
        elif c == "'":
            if sql[i + 1:i + 2] == "'":
                if dialect in ("bigquery", "databricks"):
                    raise Unsupported(dialect, "'' inside a string literal")
                out.append("'")
                i += 2
            else:
                return "".join(out), i + 1
        else:
            out.append(c)
            i += 1


def _quoted(sql, i, q, backslash, dialect):
    out, i = [], i + 1
    while True:
        if i >= len(sql):
            raise Unsupported(dialect, "unterminated quoted identifier")
        c = sql[i]
        if backslash and c == "\\":
            out.append(sql[i + 1])
            i += 2
        elif c == q:
            if sql[i + 1:i + 2] == q and not backslash:
                out.append(q)
                i += 2
            else:
                return "".join(out), i + 1
        else:
            out.append(c)
            i += 1


def build_tree(toks, dialect):
    stack, cur = [], []
    for t in toks:
        if t.is_op("(", "["):
            stack.append((cur, t))
            cur = []
        elif t.is_op(")", "]"):
            if not stack:
                raise Unsupported(dialect, "unbalanced %r" % t.text)
            outer, opener = stack.pop()
            if (opener.text == "(") != (t.text == ")"):
                raise Unsupported(dialect, "mismatched %r" % t.text)
            outer.append(Group(opener.text, cur, opener.ws))
            cur = outer
        else:
            cur.append(t)
    if stack:
        raise Unsupported(dialect, "unbalanced '('")
    return cur


def split_statements(text, dialect):
    """The statements of a script (';'-separated at top level), as token lists."""
    stmts, cur, depth = [], [], 0
    for t in tokenize(text, dialect):
        if t.is_op("(", "["):
            depth += 1
        elif t.is_op(")", "]"):
            depth -= 1
        if t.is_op(";") and depth == 0:
            if cur:
                stmts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        stmts.append(cur)
    return stmts


def split_commas(items):
    out, cur = [], []
    for it in items:
        if it.is_op(","):
            out.append(cur)
            cur = []
        else:
            cur.append(it)
    out.append(cur)
    return out


# ---- identifiers, literals, types ------------------------------------------------


def pg_ident(name):
    return '"' + name.replace('"', '""') + '"'


def pg_string(text):
    return "'" + text.replace("'", "''") + "'"


def pg_text_array(keys):
    return "ARRAY[" + ", ".join(pg_string(k) for k in keys) + "]::text[]"


# The types each dialect's tables name (text_type, key_column, json_read
# casts, run.c's BIGINT), and theirs in PostgreSQL.
TYPES = {
    "snowflake": {"VARCHAR": "TEXT", "BIGINT": "BIGINT", "DATE": "DATE", "TIME": "TIME",
                  "TIMESTAMP": "TIMESTAMP", "BOOLEAN": "BOOLEAN",
                  "VARIANT": "JSONB"},                  # json_type (warehouse destination)
    "bigquery": {"STRING": "TEXT", "FLOAT64": "DOUBLE PRECISION", "BIGINT": "BIGINT",
                 "INT64": "BIGINT", "DATE": "DATE", "TIME": "TIME", "TIMESTAMP": "TIMESTAMP",
                 "BOOL": "BOOLEAN",
                 "JSON": "JSONB"},                     # json_type (warehouse destination)
    "databricks": {"STRING": "TEXT", "DOUBLE": "DOUBLE PRECISION", "BIGINT": "BIGINT",
                   "DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "BOOLEAN": "BOOLEAN"},
    "redshift": {"DOUBLE PRECISION": "DOUBLE PRECISION", "BIGINT": "BIGINT", "DATE": "DATE",
                 "TIME": "TIME", "TIMESTAMP": "TIMESTAMP", "BOOLEAN": "BOOLEAN"},
}
# VARCHAR(n) keeps its length (Snowflake, Redshift key_column and text_type)
SIZED_TYPES = {"snowflake": ("VARCHAR",), "redshift": ("VARCHAR",)}

# Words of the vendors' SQL that lac does not emit; PostgreSQL either lacks
# them or reads them differently.
VENDOR_WORDS = ("QUALIFY", "UNNEST", "LATERAL", "PIVOT", "UNPIVOT", "SAMPLE", "TABLESAMPLE",
                "MINUS", "SWAP", "COPY", "CLONE", "STRUCT", "EXCLUDE", "REPLACE", "RLIKE",
                "REGEXP", "ILIKE", "SIMILAR", "ESCAPE", "LIKE", "GLOB", "OFFSET")
# Words that may stand before a '(' without being a function call.
PAREN_WORDS = ("IN", "EXISTS", "AS", "FROM", "NOT", "AND", "OR", "VALUES", "ON", "WHEN", "THEN",
               "ELSE", "SELECT", "JOIN", "WHERE", "HAVING", "BY", "UNION", "ALL", "DISTINCT",
               "EXCEPT", "INTERSECT", "BETWEEN", "USING", "CASE", "END")
TIME_UNITS = {"MINUTE": "minute", "MINUTES": "minute", "HOUR": "hour", "HOURS": "hour",
              "DAY": "day", "DAYS": "day"}
PG_NOW = "(now() AT TIME ZONE 'UTC')"


class Rewriter:
    def __init__(self, dialect):
        if dialect not in DIALECTS:
            raise ValueError("unknown dialect %r (one of %s)" % (dialect, ", ".join(DIALECTS)))
        self.d = dialect
        self.funcs = FUNCTIONS[dialect]

    def no(self, construct):
        return Unsupported(self.d, construct)

    # -- identifiers -------------------------------------------------------------

    def ident(self, t):
        if t.kind == "word":
            return t.text
        name = t.value
        if self.d == "snowflake":
            # "UPPER" is how Snowflake spells an unquoted name
            return pg_ident(name.lower() if name == name.upper() else name)
        return pg_ident(name.lower())

    def chain(self, items, i):
        """ident(.ident)* at items[i]: its parts and the index after it."""
        parts, j = [items[i]], i + 1
        while (j + 1 < len(items) and items[j].is_op(".")
               and items[j + 1].kind in ("word", "ident")):
            parts.append(items[j + 1])
            j += 2
        return parts, j

    def chain_text(self, parts):
        if len(parts) > 3:
            raise self.no("a name of %d parts" % len(parts))
        if len(parts) == 3:  # database.schema.table: no cross-database names
            parts = parts[1:]
        if self.d == "snowflake" and [p.text.lower() for p in parts] == ["information_schema", "tables"]:
            # the Snowflake connector's tables_exist: names as Snowflake stores them
            return "lac_rewrite.sf_tables"
        return ".".join(self.ident(p) for p in parts)

    # -- Snowflake VARIANT paths: col['a']['b'] -------------------------------------

    def variant(self, items):
        """(column text, keys) when items are exactly col['k']..., else None."""
        items = [it for it in items]
        if not items or items[0].kind not in ("word", "ident"):
            return None
        parts, j = self.chain(items, 0)
        keys = []
        while j < len(items) and isinstance(items[j], Group) and items[j].open == "[":
            g = items[j].items
            if len(g) != 1 or g[0].kind != "str":
                raise self.no("a VARIANT path step that is not a string key")
            keys.append(g[0].value)
            j += 1
        if not keys or j != len(items):
            return None
        return self.chain_text(parts), keys

    # -- expressions ---------------------------------------------------------------

    def render(self, items):
        out, i, n = [], 0, len(items)
        while i < n:
            it = items[i]
            nxt = items[i + 1] if i + 1 < n else None
            if isinstance(it, Group):
                if it.open == "[":
                    raise self.no("a [..] path outside ( )::STRING, IS_OBJECT and IS_ARRAY")
                if nxt is not None and nxt.is_op("::"):
                    out.append(it.ws + self.variant_cast(it, items[i + 2] if i + 2 < n else None))
                    i += 3
                    continue
                out.append(it.ws + "(" + self.render(it.items) + ")")
            elif it.kind == "word" and isinstance(nxt, Group) and nxt.open == "(" \
                    and it.text.upper() in self.funcs:
                args = split_commas(nxt.items) if nxt.items else []
                out.append(it.ws + self.funcs[it.text.upper()](self, args))
                i += 2
                continue
            elif it.kind in ("word", "ident") and nxt is not None and nxt.is_op("."):
                parts, j = self.chain(items, i)
                out.append(it.ws + self.chain_text(parts))
                i = j
                continue
            elif it.kind == "word":
                text, used = self.word(items, i)
                out.append(it.ws + text)
                i += used
                continue
            elif it.kind == "ident":
                out.append(it.ws + self.ident(it))
            elif it.kind == "str":
                out.append(it.ws + pg_string(it.value))
            elif it.is_op("::"):
                raise self.no("'::' cast")
            else:
                out.append(it.ws + it.text)
            i += 1
        return "".join(out)

    def word(self, items, i):
        """A bare word at items[i]: its PostgreSQL text and the items it used."""
        t, up = items[i], items[i].text.upper()
        nxt = items[i + 1] if i + 1 < len(items) else None
        if up in ("DATE", "TIME", "TIMESTAMP") and nxt is not None and nxt.kind == "str":
            return self.typed_lit(up, nxt.value), 2
        if up == "INTERVAL":
            n, unit, used = self.interval(items[i + 1:])
            return "INTERVAL %s" % pg_string("%s %ss" % (n, unit)), 1 + used
        if up == "RLIKE" and self.d == "databricks":
            # Spark's RLIKE: a Java regex found anywhere in the text
            return "~", 1
        if up in VENDOR_WORDS:
            raise self.no("keyword %s" % up)
        if isinstance(nxt, Group) and nxt.open == "(" and not nxt.ws and up not in PAREN_WORDS:
            raise self.no("function %s" % t.text)
        return t.text, 1

    def typed_lit(self, up, text):
        if self.d == "databricks" and up == "TIME":
            raise self.no("TIME literal (Databricks has no TIME type)")
        if self.d == "bigquery" and up == "TIMESTAMP":
            # bq_typed_lit writes UTC timestamps as '... +00'
            if not text.endswith("+00"):
                raise self.no("TIMESTAMP literal without +00")
            text = text[:-3]
        return "%s %s" % (up, pg_string(text))

    def interval(self, rest):
        """INTERVAL <n> <unit> (BigQuery, Databricks): amount, unit, items used."""
        if len(rest) < 2 or rest[0].kind != "num" or not rest[1].is_word(*TIME_UNITS):
            raise self.no("INTERVAL other than <number> <unit>")
        return rest[0].text, TIME_UNITS[rest[1].text.upper()], 2

    def variant_cast(self, group, ty):
        """(col['k'])::STRING (Snowflake json_text): the key's text."""
        v = self.variant(group.items)
        if v is None or ty is None or not ty.is_word("STRING", "VARCHAR"):
            raise self.no("'::' cast other than (VARIANT path)::STRING")
        return "(CAST(%s AS jsonb) #>> %s)" % (v[0], pg_text_array(v[1]))

    def type_name(self, items):
        words = [t.text.upper() for t in items if t.kind == "word"]
        key = " ".join(words)
        if len(items) == 2 and isinstance(items[1], Group) and items[0].kind == "word" \
                and key in SIZED_TYPES.get(self.d, ()):
            size = items[1].items
            if len(size) != 1 or size[0].kind != "num":
                raise self.no("type %s(...)" % key)
            return "%s(%s)" % (key, size[0].text)
        if len(words) != len(items) or key not in TYPES[self.d]:
            raise self.no("type %s" % " ".join(getattr(t, "text", "(..)") for t in items))
        return TYPES[self.d][key]

    def split_as(self, args, fn):
        """CAST-like args: (expression items, type items) around the last AS."""
        if len(args) != 1:
            raise self.no("%s with %d arguments" % (fn, len(args)))
        items = args[0]
        at = max((k for k, t in enumerate(items) if t.is_word("AS")), default=-1)
        if at <= 0:
            raise self.no("%s without AS" % fn)
        return items[:at], items[at + 1:]

    def arg(self, args, k, fn, count):
        if len(args) != count:
            raise self.no("%s with %d arguments" % (fn, len(args)))
        return self.render(args[k]).strip()

    # -- statements -----------------------------------------------------------------

    def statement(self, toks):
        items = build_tree(toks, self.d)
        if not items:
            raise self.no("empty statement")
        head = " ".join(t.text.upper() for t in items[:4] if t.kind == "word")
        first = items[0].text.upper() if items[0].kind == "word" else ""
        if first in ("SELECT", "WITH", "INSERT", "DELETE", "DROP", "MERGE"):
            return self.render(items).strip()
        if first in ("BEGIN", "COMMIT", "ROLLBACK"):
            return self.transaction(items)
        if first == "EXPLAIN":
            return "EXPLAIN " + self.statement(toks[1:])
        if head.startswith("CREATE SCHEMA"):
            return self.render(items).strip()
        if head.startswith("CREATE OR REPLACE TABLE"):
            return self.create_or_replace(items[4:])
        if head.startswith("CREATE TABLE"):
            return self.create_table(items)
        if head.startswith("ALTER TABLE"):
            return self.alter_table(items)
        if first == "SET" and self.d == "redshift":
            return self.redshift_set(items)
        if head.startswith("DESCRIBE DETAIL") and self.d == "databricks":
            return self.describe_detail(items[2:])
        raise self.no("statement %s" % (head or items[0].text))

    def describe_detail(self, items):
        """Databricks DESCRIBE DETAIL t (the connector's last_altered): its
        first seven columns, lastModified what pg_backend.py noted, as
        Databricks writes a timestamp; no row when there is no such table."""
        if not items or items[0].kind not in ("word", "ident"):
            raise self.no("DESCRIBE DETAIL without a table")
        parts, j = self.chain(items, 0)
        if j != len(items) or len(parts) < 2:
            raise self.no("DESCRIBE DETAIL other than of a schema.table name")
        schema, table = [(p.value if p.kind == "ident" else p.text).lower() for p in parts[-2:]]
        return ("SELECT 'delta' AS format, NULL AS id, t.table_name AS name, NULL AS description,"
                " NULL AS location, NULL AS \"createdAt\","
                " to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS \"lastModified\""
                " FROM information_schema.tables t LEFT JOIN lac_rewrite.altered a"
                " ON a.table_schema = lower(t.table_schema) AND a.table_name = lower(t.table_name)"
                " WHERE lower(t.table_schema) = %s AND lower(t.table_name) = %s"
                % (pg_string(schema), pg_string(table)))

    def transaction(self, items):
        words = [t.text.upper() for t in items]
        ok = {
            "snowflake": (["BEGIN", "TRANSACTION"], ["COMMIT"], ["ROLLBACK"]),
            "bigquery": (["BEGIN", "TRANSACTION"], ["COMMIT", "TRANSACTION"],
                         ["ROLLBACK", "TRANSACTION"]),
            "redshift": (["BEGIN"], ["COMMIT"], ["ROLLBACK"]),
            # Databricks SQL has no multi-statement transactions (begin NULL)
            "databricks": (),
        }[self.d]
        if words not in [list(w) for w in ok]:
            raise self.no("statement %s" % " ".join(words))
        return words[0]

    def create_table(self, items):
        # CREATE TABLE [IF NOT EXISTS] name ( defs ) | ( LIKE src ) | AS query
        k = 2
        if [t.text.upper() for t in items[2:5] if t.kind == "word"] == ["IF", "NOT", "EXISTS"]:
            k = 5
        parts, j = self.chain(items, k)
        name = self.chain_text(parts)
        head = "CREATE TABLE %s%s" % ("IF NOT EXISTS " if k == 5 else "", name)
        rest = items[j:]
        # BigQuery's CLUSTER BY (the membership log's): a storage layout,
        # nothing to say to PostgreSQL
        if (self.d == "bigquery" and len(rest) == 4 and isinstance(rest[0], Group)
                and rest[1].is_word("CLUSTER") and rest[2].is_word("BY")):
            rest = rest[:1]
        if rest and isinstance(rest[0], Group) and len(rest) == 1:
            defs = rest[0].items
            if defs and defs[0].is_word("LIKE"):
                src, k = self.chain(defs, 1) if len(defs) > 1 else ([], 0)
                if self.d != "redshift" or not src or k != len(defs):
                    raise self.no("CREATE TABLE (LIKE ...)")
                return head + " (LIKE " + self.chain_text(src) + ")"
            return head + " (" + ", ".join(self.column_def(c) for c in split_commas(defs)) + ")"
        if rest and rest[0].is_word("AS"):
            return head + " AS" + self.render(rest[1:])
        raise self.no("CREATE TABLE form")

    def column_def(self, items):
        if not items or items[0].kind not in ("word", "ident"):
            raise self.no("column definition")
        end = next((k for k, t in enumerate(items)
                    if k > 0 and t.is_word("NOT", "NULL", "PRIMARY", "DEFAULT", "UNIQUE")),
                   len(items))
        cons = " ".join(t.text.upper() for t in items[end:])
        if cons not in ("", "NOT NULL", "PRIMARY KEY"):
            raise self.no("column constraint %s" % cons)
        return " ".join(x for x in (self.ident(items[0]), self.type_name(items[1:end]), cons) if x)

    def create_or_replace(self, rest):
        if self.d == "redshift":
            raise self.no("CREATE OR REPLACE TABLE")
        parts, j = self.chain(rest, 0)
        name = self.chain_text(parts)
        tail = rest[j:]
        if tail and tail[0].is_word("AS"):  # run.c replace_table
            create = "CREATE TABLE %s AS%s" % (name, self.render(tail[1:]))
        elif len(tail) > 1 and ((self.d == "bigquery" and tail[0].is_word("COPY")) or
                                (self.d == "snowflake" and tail[0].is_word("CLONE"))) and \
                tail[1].kind in ("word", "ident") and self.chain(tail, 1)[1] == len(tail):
            # BigQuery's metadata copy, Snowflake's zero-copy clone (run.c
            # replace_table): a copy of the rows either way
            src, k = self.chain(tail, 1)
            create = "CREATE TABLE %s AS TABLE %s" % (name, self.chain_text(src))
        else:
            raise self.no("CREATE OR REPLACE TABLE form")
        return "DO $lac$ BEGIN DROP TABLE IF EXISTS %s; %s; END $lac$" % (name, create)

    def alter_table(self, items):
        parts, j = self.chain(items, 2)
        name = self.chain_text(parts)
        rest = items[j:]
        words = [t.text.upper() for t in rest[:2]]
        if words == ["RENAME", "TO"] and len(rest) == 3 and rest[2].kind in ("word", "ident"):
            return "ALTER TABLE %s RENAME TO %s" % (name, self.ident(rest[2]))
        if words == ["SWAP", "WITH"] and self.d == "snowflake":
            other, k = self.chain(rest, 2)
            if k != len(rest) or len(other) != len(parts) or \
                    [self.ident(p) for p in other[:-1]] != [self.ident(p) for p in parts[:-1]]:
                raise self.no("SWAP WITH across schemas")
            a, b = self.ident(parts[-1]), self.ident(other[-1])
            prefix = "".join(self.ident(p) + "." for p in parts[:-1][-1:])
            tmp = pg_ident("lac_rewrite_swap")
            return ("DO $lac$ BEGIN ALTER TABLE %s%s RENAME TO %s; ALTER TABLE %s%s RENAME TO %s; "
                    "ALTER TABLE %s%s RENAME TO %s; END $lac$"
                    % (prefix, a, tmp, prefix, b, a, prefix, tmp, b))
        raise self.no("ALTER TABLE %s" % " ".join(words))

    def redshift_set(self, items):
        # the Redshift connector's session settings (SPEC §1.1)
        if len(items) >= 3 and items[1].is_word("QUERY_GROUP"):
            return "SET lac_rewrite.query_group TO " + self.render(items[3:]).strip()
        if len(items) >= 3 and items[1].is_word("STATEMENT_TIMEOUT"):
            return self.render(items).strip()
        raise self.no("SET %s" % items[1].text if len(items) > 1 else "SET")


# ---- the rewrite table: one row per template ---------------------------------------


def same(pg_name, count=None):
    """A function PostgreSQL has under pg_name with the same meaning."""
    def f(rw, args):
        if count is not None and len(args) != count:
            raise rw.no("%s with %d arguments" % (pg_name, len(args)))
        return "%s(%s)" % (pg_name, ", ".join(rw.render(a).strip() for a in args))
    return f


def count_(rw, args):
    if len(args) == 1 and len(args[0]) == 1 and args[0][0].is_op("*"):
        return "COUNT(*)"
    return same("COUNT", 1)(rw, args)


def cast(rw, args):
    expr, ty = rw.split_as(args, "CAST")
    return "CAST(%s AS %s)" % (rw.render(expr).strip(), rw.type_name(ty))


def parse_json(rw, args):
    """PARSE_JSON(text): the VARIANT of a JSON text (jsonb here)."""
    return "CAST(%s AS jsonb)" % rw.arg(args, 0, "PARSE_JSON", 1)


def bq_parse_json(rw, args):
    """PARSE_JSON(text, wide_number_mode => 'round') (the warehouse
    destination's merge_events): the JSON of a text (jsonb here, which keeps
    every number exactly)."""
    mode = args[1] if len(args) == 2 else []
    if len(mode) != 3 or not mode[0].is_word("WIDE_NUMBER_MODE") or not mode[1].is_op("=>") \
            or mode[2].kind != "str" or mode[2].value != "round":
        raise rw.no("PARSE_JSON other than (text, wide_number_mode => 'round')")
    return "CAST(%s AS jsonb)" % rw.render(args[0]).strip()


def bq_unnest_rows(rw, args):
    """UNNEST(ARRAY<STRUCT<name STRING, ...>>[(..), ...]) (the warehouse
    destination's rows; BigQuery has no VALUES lists as tables): the same
    rows as a VALUES list with those column names."""
    items = []
    for k, a in enumerate(args):  # the commas inside STRUCT<..> split the arguments
        if k:
            items.append(Tok("punct", ","))
        items.extend(a)
    shape = "UNNEST other than of ARRAY<STRUCT<name STRING, ...>>[(...), ...]"
    if len(items) < 7 or not items[0].is_word("ARRAY") or not items[1].is_op("<") \
            or not items[2].is_word("STRUCT") or not items[3].is_op("<"):
        raise rw.no(shape)
    end = next((k for k in range(4, len(items)) if items[k].is_op(">")), None)
    if end is None or end + 3 != len(items) or not items[end + 1].is_op(">") \
            or not isinstance(items[end + 2], Group) or items[end + 2].open != "[":
        raise rw.no(shape)
    names = []
    for f in split_commas(items[4:end]):
        if len(f) != 2 or f[0].kind != "word" or not f[1].is_word("STRING"):
            raise rw.no(shape)
        names.append(f[0].text)
    rows = []
    for r in split_commas(items[end + 2].items):
        if len(r) != 1 or not isinstance(r[0], Group) or r[0].open != "(" \
                or len(split_commas(r[0].items)) != len(names):
            raise rw.no(shape)
        rows.append("(" + rw.render(r[0].items).strip() + ")")
    return "(VALUES %s) AS lac_unnest(%s)" % (", ".join(rows), ", ".join(names))


def safe_cast(fn):
    """SAFE_CAST / try_cast (x AS T): NULL when x is not a T."""
    helpers = {"DOUBLE PRECISION": "try_double", "DATE": "try_date", "TIME": "try_time",
               "TIMESTAMP": "try_timestamp"}

    def f(rw, args):
        expr, ty = rw.split_as(args, fn)
        t = rw.type_name(ty)
        if t not in helpers:
            raise rw.no("%s to %s" % (fn, t))
        return "lac_rewrite.%s(%s)" % (helpers[t], rw.render(expr).strip())
    return f


def helper(name, count, fmt=None):
    """A PRELUDE function; fmt: a required literal second argument (format)."""
    def f(rw, args):
        if len(args) != count:
            raise rw.no("%s with %d arguments" % (name, len(args)))
        if fmt is not None:
            a = args[1]
            if len(a) != 1 or a[0].kind != "str" or a[0].value != fmt:
                raise rw.no("%s with a format other than '%s'" % (name, fmt))
        return "lac_rewrite.%s(%s)" % (name, rw.render(args[0]).strip())
    return f


def now(pg):
    def f(rw, args):
        if args:
            raise rw.no("current time with arguments")
        return pg
    return f


def ends_with(fn):
    def f(rw, args):
        a, b = rw.arg(args, 0, fn, 2), rw.arg(args, 1, fn, 2)
        return "(right(%s, length(%s)) = %s)" % (a, b, b)
    return f


def contains(fn):
    def f(rw, args):
        return "(strpos(%s, %s) > 0)" % (rw.arg(args, 0, fn, 2), rw.arg(args, 1, fn, 2))
    return f


def regex(fn, whole):
    """REGEXP_LIKE (the whole text matches) / REGEXP_CONTAINS (found in it)."""
    def f(rw, args):
        s, p = rw.arg(args, 0, fn, 2), rw.arg(args, 1, fn, 2)
        if whole:
            p = "('^(?:' || %s || ')$')" % p
        return "(%s ~ %s)" % (s, p)
    return f


def is_date_expr(items):
    """CAST(.. AS DATE) or DATE '..': the templates' DATE operands."""
    if len(items) == 2 and items[0].is_word("DATE") and items[1].kind == "str":
        return True
    inner = items[1].items if len(items) == 2 and isinstance(items[1], Group) else []
    return (items[0].is_word("CAST") and len(inner) >= 3 and inner[-1].is_word("DATE")
            and inner[-2].is_word("AS"))


def is_timestamp_expr(rw, items):
    """The templates' TIMESTAMP operands: the current time or a literal."""
    if len(items) == 2 and items[0].is_word("TIMESTAMP") and items[1].kind == "str":
        return True
    return (len(items) == 2 and items[0].kind == "word" and isinstance(items[1], Group)
            and not items[1].items
            and items[0].text.upper() in ("SYSDATE", "GETDATE", "CURRENT_TIMESTAMP"))


def dateadd(rw, args):
    """DATEADD(unit, n, x) (Snowflake, Redshift time_point)."""
    if len(args) != 3 or len(args[0]) != 1 or not args[0][0].is_word(*TIME_UNITS):
        raise rw.no("DATEADD other than (minute|hour|day, n, x)")
    unit = TIME_UNITS[args[0][0].text.upper()]
    n, x = rw.render(args[1]).strip(), rw.render(args[2]).strip()
    if unit == "day" and rw.d == "snowflake" and is_date_expr(args[2]):
        return "(%s + (%s))" % (x, n)  # a DATE stays a DATE
    if is_timestamp_expr(rw, args[2]):
        return "(%s + INTERVAL '1 %s' * (%s))" % (x, unit, n)
    raise rw.no("DATEADD over an operand that is neither a DATE cast nor a timestamp")


def sf_date_part(rw, args):
    """DATE_PART(EPOCH_MILLISECOND, x): the connector's last_altered."""
    if len(args) != 2 or len(args[0]) != 1 or not args[0][0].is_word("EPOCH_MILLISECOND"):
        raise rw.no("DATE_PART other than (EPOCH_MILLISECOND, x)")
    return "CAST(EXTRACT(EPOCH FROM %s) * 1000 AS BIGINT)" % rw.render(args[1]).strip()


def bq_timestamp_shift(sign):
    def f(rw, args):
        if len(args) != 2:
            raise rw.no("TIMESTAMP_ADD/SUB with %d arguments" % len(args))
        if not args[1] or not args[1][0].is_word("INTERVAL"):
            raise rw.no("TIMESTAMP_ADD/SUB without INTERVAL")
        n, unit, used = rw.interval(args[1][1:])
        if used + 1 != len(args[1]):
            raise rw.no("TIMESTAMP_ADD/SUB interval form")
        return "(%s %s INTERVAL %s)" % (rw.render(args[0]).strip(), sign,
                                        pg_string("%s %ss" % (n, unit)))
    return f


def bq_date_shift(sign):
    def f(rw, args):
        if len(args) != 2 or not args[1] or not args[1][0].is_word("INTERVAL"):
            raise rw.no("DATE_ADD/SUB other than (d, INTERVAL n DAY)")
        n, unit, used = rw.interval(args[1][1:])
        if unit != "day" or used + 1 != len(args[1]):
            raise rw.no("DATE_ADD/SUB by %s" % unit)
        return "(%s %s %s)" % (rw.render(args[0]).strip(), sign, n)
    return f


def bq_date(rw, args):
    return "CAST(%s AS DATE)" % rw.arg(args, 0, "DATE", 1)


def db_date_add(rw, args):
    return "(%s + (%s))" % (rw.arg(args, 0, "date_add", 2), rw.arg(args, 1, "date_add", 2))


def json_path_keys(rw, path, brackets):
    """lac's dialect_json_path: $.a.b, $."a b" (dotted) or $['a b'] (brackets)."""
    keys, i = [], 1
    if not path.startswith("$"):
        raise rw.no("JSON path %r" % path)
    while i < len(path):
        if path[i] == "." and path[i + 1:i + 2] != '"':
            m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(path, i + 1)
            if not m:
                raise rw.no("JSON path %r" % path)
            keys.append(m.group())
            i = m.end()
            continue
        opener, closer = ("['", "']") if brackets else ('."', '"')
        if not path.startswith(opener, i):
            raise rw.no("JSON path %r" % path)
        i += len(opener)
        key = []
        while not path.startswith(closer, i):
            if i >= len(path):
                raise rw.no("JSON path %r" % path)
            if path[i] == "\\":
                i += 1
            key.append(path[i])
            i += 1
        keys.append("".join(key))
        i += len(closer)
    return keys


def json_path_arg(rw, args, fn, brackets):
    if len(args) != 2 or len(args[1]) != 1 or args[1][0].kind != "str":
        raise rw.no("%s without a literal path" % fn)
    return json_path_keys(rw, args[1][0].value, brackets)


def bq_json_value(rw, args):
    """JSON_VALUE: a scalar's text; NULL for an object or array."""
    keys = json_path_arg(rw, args, "JSON_VALUE", False)
    c = "CAST(%s AS jsonb)" % rw.render(args[0]).strip()
    p = pg_text_array(keys)
    return ("(CASE WHEN jsonb_typeof(%s #> %s) IN ('object', 'array') THEN NULL ELSE %s #>> %s END)"
            % (c, p, c, p))


def bq_json_query(rw, args):
    """JSON_QUERY over a JSON column (jsonb here): the value's JSON, JSON
    'null' (not SQL NULL) for a JSON null, SQL NULL for a missing key.  Over a
    STRING column BigQuery gives SQL NULL for a JSON null; the JSON column is
    the case the template must guard."""
    keys = json_path_arg(rw, args, "JSON_QUERY", False)
    return "(CAST(%s AS jsonb) #> %s)" % (rw.render(args[0]).strip(), pg_text_array(keys))


def bq_to_json_string(rw, args):
    """TO_JSON_STRING(x): x's JSON text (a JSON value's own text, a STRING
    quoted); SQL NULL is the string 'null'."""
    if len(args) != 1:
        raise rw.no("TO_JSON_STRING with %d arguments" % len(args))
    return "COALESCE(CAST(to_jsonb(%s) AS TEXT), 'null')" % rw.render(args[0]).strip()


def db_get_json_object(rw, args):
    """get_json_object over STRING JSON: the value's text (an object's JSON)."""
    keys = json_path_arg(rw, args, "get_json_object", True)
    return "(lac_rewrite.json_or_null(CAST(%s AS TEXT)) #>> %s)" % (
        rw.render(args[0]).strip(), pg_text_array(keys))


def rs_json_extract_path_text(rw, args):
    """JSON_EXTRACT_PATH_TEXT(c, 'k'..., TRUE) over VARCHAR JSON."""
    if len(args) < 3 or len(args[-1]) != 1 or not args[-1][0].is_word("TRUE"):
        raise rw.no("JSON_EXTRACT_PATH_TEXT without null_if_invalid TRUE")
    keys = []
    for a in args[1:-1]:
        if len(a) != 1 or a[0].kind != "str":
            raise rw.no("JSON_EXTRACT_PATH_TEXT with a key that is not a literal")
        keys.append(a[0].value)
    return "(lac_rewrite.json_or_null(CAST(%s AS TEXT)) #>> %s)" % (
        rw.render(args[0]).strip(), pg_text_array(keys))


def sf_is(kind):
    """IS_OBJECT / IS_ARRAY of a VARIANT path."""
    def f(rw, args):
        v = rw.variant(args[0]) if len(args) == 1 else None
        if v is None:
            raise rw.no("IS_%s of something other than a VARIANT path" % kind.upper())
        return "(jsonb_typeof(CAST(%s AS jsonb) #> %s) = '%s')" % (v[0], pg_text_array(v[1]), kind)
    return f


# Values read back (read_back in the dialect tables, SPEC §1.1 "Session"):
# each vendor's format, as the PostgreSQL dialect's to_char.  The fakes'
# TIMESTAMP columns hold the UTC wall clock (tests/pg/load.py) and the
# server's TimeZone is UTC.
PG_TS_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def fmt_arg(rw, args, k, fn, formats):
    """A literal format argument of the template, as the PostgreSQL format."""
    a = args[k] if k < len(args) else []
    if len(a) != 1 or a[0].kind != "str" or a[0].value not in formats:
        raise rw.no("%s with a format other than %s" % (fn, " or ".join(sorted(formats))))
    return formats[a[0].value]


def pg_to_char(rw, x, pg_fmt):
    if pg_fmt == "HH24:MI:SS":  # a TIME: through a timestamp, as the postgres dialect
        return "to_char(DATE '2000-01-01' + %s, 'HH24:MI:SS')" % x
    return "to_char(%s, %s)" % (x, pg_string(pg_fmt))


def sf_to_char(rw, args):
    """TO_CHAR(x, fmt), x a DATE, TIME or CONVERT_TIMEZONE('UTC', ts)."""
    f = fmt_arg(rw, args, 1, "TO_CHAR", {"YYYY-MM-DD": "YYYY-MM-DD", "HH24:MI:SS": "HH24:MI:SS",
                                         'YYYY-MM-DD"T"HH24:MI:SS.FF6"Z"': PG_TS_FORMAT})
    return pg_to_char(rw, rw.arg(args, 0, "TO_CHAR", 2), f)


def utc_of(fn):
    """CONVERT_TIMEZONE('UTC', ts) / convert_timezone('UTC', ts): the UTC wall clock."""
    def f(rw, args):
        if len(args) != 2 or len(args[0]) != 1 or args[0][0].kind != "str" \
                or args[0][0].value != "UTC":
            raise rw.no("%s other than ('UTC', ts)" % fn)
        return "(%s AT TIME ZONE 'UTC')" % rw.render(args[1]).strip()
    return f


def bq_format(fn, formats):
    """FORMAT_DATE / FORMAT_TIME (fmt, x) and FORMAT_TIMESTAMP (fmt, x, 'UTC')."""
    def f(rw, args):
        pg_fmt = fmt_arg(rw, args, 0, fn, formats)
        count = 3 if fn == "FORMAT_TIMESTAMP" else 2
        x = rw.arg(args, 1, fn, count)
        if count == 3:
            if len(args[2]) != 1 or args[2][0].kind != "str" or args[2][0].value != "UTC":
                raise rw.no("FORMAT_TIMESTAMP in a time zone other than 'UTC'")
            x = "(%s AT TIME ZONE 'UTC')" % x
        return pg_to_char(rw, x, pg_fmt)
    return f


def db_date_format(rw, args):
    """date_format(x, pattern): a DATE, or convert_timezone('UTC', ts)."""
    f = fmt_arg(rw, args, 1, "date_format", {"yyyy-MM-dd": "YYYY-MM-DD",
                                             "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'": PG_TS_FORMAT})
    return pg_to_char(rw, rw.arg(args, 0, "date_format", 2), f)


def rs_to_char(rw, args):
    """TO_CHAR(x, fmt): Redshift's formats are PostgreSQL's."""
    f = fmt_arg(rw, args, 1, "TO_CHAR", {"YYYY-MM-DD": "YYYY-MM-DD", "HH24:MI:SS": "HH24:MI:SS",
                                         PG_TS_FORMAT: PG_TS_FORMAT})
    x = rw.arg(args, 0, "TO_CHAR", 2)
    return "to_char(%s, %s)" % (x, pg_string(f))


COMMON = {  # gen.c's aggregates and COALESCE, the same everywhere
    "COUNT": count_, "SUM": same("SUM", 1), "AVG": same("AVG", 1), "MIN": same("MIN", 1),
    "MAX": same("MAX", 1), "COALESCE": same("COALESCE"), "CAST": cast,
    "REPLACE": same("replace", 3),                      # read_back TIMESTAMP
}

FUNCTIONS = {
    "snowflake": dict(COMMON, **{
        "SYSDATE": now(PG_NOW),                         # time_point (UTC, no zone)
        "CURRENT_TIMESTAMP": now("now()"),              # log_now
        "DATEADD": dateadd,                             # time_point
        "DATE_PART": sf_date_part,                      # the connector's last_altered
        "STARTSWITH": same("starts_with", 2),           # str_match
        "ENDSWITH": ends_with("ENDSWITH"),
        "CONTAINS": contains("CONTAINS"),
        "REGEXP_LIKE": regex("REGEXP_LIKE", whole=True),  # json_read
        "TRY_TO_DOUBLE": helper("try_double", 1),
        "TRY_TO_DATE": helper("try_date", 2, "YYYY-MM-DD"),
        "TRY_TO_TIME": helper("try_time", 2, "HH24:MI:SS"),
        "TRY_TO_TIMESTAMP": helper("try_timestamp", 1),
        "IS_OBJECT": sf_is("object"),                   # json_read STRING
        "IS_ARRAY": sf_is("array"),
        "TO_CHAR": sf_to_char,                          # read_back
        "CONVERT_TIMEZONE": utc_of("CONVERT_TIMEZONE"),
        "PARSE_JSON": parse_json,                       # event_merge (warehouse destination)
    }),
    "bigquery": dict(COMMON, **{
        "CURRENT_TIMESTAMP": now(PG_NOW),               # time_point, log_now
        "TIMESTAMP_ADD": bq_timestamp_shift("+"),       # time_point
        "TIMESTAMP_SUB": bq_timestamp_shift("-"),
        "DATE_ADD": bq_date_shift("+"),
        "DATE_SUB": bq_date_shift("-"),
        "DATE": bq_date,
        "STARTS_WITH": same("starts_with", 2),          # str_match
        "ENDS_WITH": ends_with("ENDS_WITH"),
        "STRPOS": same("strpos", 2),
        "JSON_VALUE": bq_json_value,                    # json_text
        "JSON_QUERY": bq_json_query,                    # json_read OBJECT
        "TO_JSON_STRING": bq_to_json_string,
        "REGEXP_CONTAINS": regex("REGEXP_CONTAINS", whole=False),
        "SAFE_CAST": safe_cast("SAFE_CAST"),
        "FORMAT_DATE": bq_format("FORMAT_DATE", {"%Y-%m-%d": "YYYY-MM-DD"}),  # read_back
        "FORMAT_TIME": bq_format("FORMAT_TIME", {"%H:%M:%S": "HH24:MI:SS"}),
        "FORMAT_TIMESTAMP": bq_format("FORMAT_TIMESTAMP", {"%Y-%m-%dT%H:%M:%E6SZ": PG_TS_FORMAT}),
        "PARSE_JSON": bq_parse_json,                    # merge_events (warehouse destination)
        "UNNEST": bq_unnest_rows,
    }),
    "databricks": dict(COMMON, **{
        "CURRENT_TIMESTAMP": now(PG_NOW),               # time_point, log_now
        "DATE_ADD": db_date_add,                        # time_point
        "STARTSWITH": same("starts_with", 2),           # str_match
        "ENDSWITH": ends_with("endswith"),
        "CONTAINS": contains("contains"),
        "GET_JSON_OBJECT": db_get_json_object,          # json_text
        "JSON_OBJECT_KEYS": helper("json_object_keys", 1),    # json_read STRING
        "JSON_ARRAY_LENGTH": helper("json_array_length", 1),
        "TRY_CAST": safe_cast("try_cast"),              # json_read
        "DATE_FORMAT": db_date_format,                  # read_back
        "CONVERT_TIMEZONE": utc_of("convert_timezone"),
    }),
    "redshift": dict(COMMON, **{
        # GETDATE() has whole seconds
        "GETDATE": now("date_trunc('second', %s)" % PG_NOW),  # time_point, log_now
        "DATEADD": dateadd,
        "STRPOS": same("strpos", 2),                    # str_match
        "RIGHT": same("right", 2),
        "LENGTH": same("length", 1),
        "LEFT": same("left", 2),                        # json_read STRING
        "JSON_EXTRACT_PATH_TEXT": rs_json_extract_path_text,  # json_text
        "IS_VALID_JSON": helper("is_valid_json", 1),
        "IS_VALID_JSON_ARRAY": helper("is_valid_json_array", 1),
        "TO_CHAR": rs_to_char,                          # read_back
    }),
}


# ---- entry points -----------------------------------------------------------------


def rewrite(sql, dialect):
    """One statement of `dialect` as one PostgreSQL statement (no ';')."""
    stmts = split_statements(sql, dialect)
    if len(stmts) != 1:
        raise Unsupported(dialect, "%d statements where one was expected" % len(stmts))
    return Rewriter(dialect).statement(stmts[0])


def rewrite_script(text, dialect):
    """Every statement of a ';'-separated script, rewritten, in order."""
    rw = Rewriter(dialect)
    return [rw.statement(s) for s in split_statements(text, dialect)]


def main(argv):
    if argv[1:] == ["--prelude"]:
        sys.stdout.write(PRELUDE)
        return 0
    if len(argv) not in (3, 4) or argv[1] != "-d":
        sys.stderr.write("usage: rewrite.py -d DIALECT [FILE] | rewrite.py --prelude\n")
        return 64
    text = open(argv[3]).read() if len(argv) == 4 else sys.stdin.read()
    try:
        for s in rewrite_script(text, argv[2]):
            sys.stdout.write(s + ";\n")
    except Unsupported as e:
        sys.stderr.write("rewrite.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
