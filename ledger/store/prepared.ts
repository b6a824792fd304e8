// Server-side prepared statements for the hot path's few statements, opted into by a leading SQL comment.
//
// PostgreSQL parses and analyses an unnamed statement on every execution. For the append statement (a handful of
// CTEs) that is ~0.2 ms of a ~0.6 ms round trip, measured here; a named statement is parsed once per connection.
// Kysely hands the driver only text and parameters, so the opt-in travels in the text: a query starting with
// PREPARED_MARK is sent as a named statement whose name is a digest of its text (distinct texts never share a
// name). Everything else stays unnamed, so ad hoc texts (IN lists of varying length) never pile up on the server.
// The embedded store ignores the comment; postgres-pool.ts holds the client that honours it.
import { sql } from "kysely";

export const PREPARED_MARK = "/* maestro:prepared */ ";

/** Prefix for a kysely `sql` template: `sql\`${prepared}select …\``. */
export const prepared = sql.raw(PREPARED_MARK);
