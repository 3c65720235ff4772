import { newToken, tokenHash } from "./auth/users.js";

// `pnpm --filter @liaowang/api token <user-id> [role] [department]`: a new bearer token and the users.yaml entry
// holding its hash. The token is shown once; only the hash is stored.
const [id = "new-user", role = "duty_officer", department] = process.argv.slice(2);
const token = newToken();
const entry = [
  `  - id: ${id}`,
  `    name: ${id}`,
  `    roles: [${role}]`,
  ...(department ? [`    department: ${department}`] : []),
  `    tokens: ["${tokenHash(token)}"]`,
];
process.stdout.write(`token (give it to the user; it is not stored): ${token}\n\nconfig/users.yaml entry:\n${entry.join("\n")}\n`);
