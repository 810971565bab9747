/**
 * SQL literal quoting for ClickHouse. The 18.x server this project also supports predates query parameters
 * (`{name:Type}`), so values are inlined as quoted literals. Every caller validates keys with zod first; this
 * quoting is the second line of defence and follows ClickHouse's string-literal escaping rules.
 */
export function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A database or table name: only plain identifiers are accepted, never quoted user input. */
export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name;
}
