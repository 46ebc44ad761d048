// The graphql-http audit of a running server: every MUST and every SHOULD
// of GraphQL-over-HTTP must pass (a MAY that fails is only printed).
// Usage: node graphql-audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql-audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const line = `${result.status.padEnd(6)} ${result.name}`;
  if (result.status === 'ok') {
    console.log(line);
    continue;
  }
  const reason = result.reason ? `\n       ${result.reason}` : '';
  console.log(line + reason);
  if (result.status !== 'notice') failed += 1;
}
const musts = results.filter((r) => r.name.startsWith('MUST')).length;
const shoulds = results.filter((r) => r.name.startsWith('SHOULD')).length;
console.log(`${results.length} audits (${musts} MUST, ${shoulds} SHOULD); ${failed} MUST or SHOULD failed`);
process.exit(failed === 0 ? 0 : 1);
