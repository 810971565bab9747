/**
 * `apexseo`: start and follow audits, print reports, set tenant keys, resume tenants, migrate the stores.
 * Built on commander (small, dependency-free, typed). Secrets are never accepted as arguments.
 */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './admin-commands.js';
import { registerAuditCommands } from './audit-commands.js';
import { CliError } from './cli-errors.js';
import { createIo } from './cli-io.js';

/** Options that would put a secret on the command line; refused before anything else runs. */
const SECRET_FLAGS = /^--(api-?key|key|secret|token)(=|$)/i;

export async function runCli(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const io = createIo(json);
  const secretFlag = argv.slice(2).find((a) => SECRET_FLAGS.test(a));
  const program = new Command('apexseo')
    .description('ApexSEO E-E-A-T audits')
    .option('--json', 'machine-readable output (one JSON document on stdout)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (json ? undefined : process.stderr.write(s)) });
  registerAuditCommands(program, io);
  registerAdminCommands(program, io);
  try {
    if (secretFlag) {
      throw new CliError(
        'SECRET_IN_ARGV',
        `${secretFlag.split('=')[0]} is refused: keys are read from a hidden prompt or from stdin, never from the command line`,
      );
    }
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      )
        return 0;
      return report(json, 'INVALID_USAGE', error.message.replace(/^error: /, ''), 2);
    }
    if (error instanceof CliError) return report(json, error.type, error.message, error.exitCode);
    const typed = error as { type?: unknown; message?: unknown };
    return report(
      json,
      typeof typed.type === 'string' ? typed.type : 'UNEXPECTED',
      String(typed.message ?? error),
      1,
    );
  }
}

function report(json: boolean, type: string, message: string, code: number): number {
  if (json) process.stdout.write(`${JSON.stringify({ error: { type, message } })}\n`);
  else process.stderr.write(`apexseo: ${message}\n`);
  return code;
}
