// For migrations that bring rows written before the folds in line with them: a ledger entry's signed `time`, in SQL.
import { type RawBuilder, sql } from "kysely";

/** The signed `time` of the ledger_entries row aliased `alias`, as a timestamptz. */
export function eventTime(alias: string): RawBuilder<Date> {
  return sql<Date>`(convert_from(${sql.ref(`${alias}.canonical`)}, 'UTF8')::jsonb ->> 'time')::timestamptz`;
}
