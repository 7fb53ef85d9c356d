// `npm run challenge -- list | start NAME [--seed N] | status | hint | verify [ID=ANSWER ...]
// | stop`: break, hint and grade against a running server (src/challenge/command.ts).
import { runChallengeCommand } from "../src/challenge/command.js";

runChallengeCommand(process.argv.slice(2), process.env, (line) => console.log(line)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`challenge: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
