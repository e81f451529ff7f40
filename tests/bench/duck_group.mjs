// node duck_group.mjs FILE THREADS: DuckDB's group-by of grade by model (count, mean, sd, median, quartiles,
// min, max), as pt-stats summary --by .model --value .grade computes them (make bench only)
import { DuckDBInstance } from '@duckdb/node-api';
const [file, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
if (threads) await con.run(`SET threads = ${threads}`);
const r = await con.runAndReadAll(`SELECT model, count(grade), avg(grade), stddev_samp(grade), median(grade),
  quantile_cont(grade, 0.25), quantile_cont(grade, 0.75), min(grade), max(grade)
  FROM read_json('${file}', format='newline_delimited') GROUP BY model ORDER BY model`);
process.stdout.write(JSON.stringify(r.getRowsJson()) + '\n');
