// node duck_filter.mjs FILE WHERE OUT [THREADS]: DuckDB's COPY (SELECT * ... WHERE ...) TO OUT as NDJSON (make bench only)
import { DuckDBInstance } from '@duckdb/node-api';
const [file, where, out, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
if (threads) await con.run(`SET threads = ${threads}`);
await con.run(`COPY (SELECT * FROM read_json('${file}', format='newline_delimited') WHERE ${where}) TO '${out}' (FORMAT json)`);
