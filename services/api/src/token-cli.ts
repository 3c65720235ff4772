import { Role } from "./auth/roles.js";
import { newToken, tokenHash } from "./auth/users.js";

// `pnpm --filter @liaowang/api token <user-id> [role] [department]`: a new bearer token and the users.yaml entry
// holding its hash. The token is shown once; only the hash is stored.
const [id = "new-user", roleArg = "duty_officer", department] = process.argv.slice(2);
const role = Role.safeParse(roleArg);
if (!role.success) {
  process.stderr.write(`unknown role "${roleArg}": expected one of ${Role.options.join(", ")}\n`);
  process.exit(2);
}
if (role.data === "dept_head" && !department) {
  process.stderr.write("a dept_head needs the department it heads: token <user-id> dept_head <department-id>\n");
  process.exit(2);
}
const token = newToken();
const entry = [
  `  - id: ${id}`,
  `    name: ${id}`,
  `    roles: [${role.data}]`,
  ...(department ? [`    department: ${department}`] : []),
  `    tokens: ["${tokenHash(token)}"]`,
];
process.stdout.write(`token (give it to the user; it is not stored): ${token}\n\nconfig/users.yaml entry:\n${entry.join("\n")}\n`);
