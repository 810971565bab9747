/**
 * Reads a secret (a tenant's LLM key) from a hidden prompt when stdin is a terminal, or from stdin when it is
 * piped. Never from argv: command lines end up in shell history and `ps` output.
 */
import { CliError } from './cli-errors.js';

const MAX_SECRET_BYTES = 8 * 1024;

export async function readSecret(
  prompt: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  const secret = input.isTTY ? await promptHidden(prompt, input, output) : await readAll(input);
  const trimmed = secret.trim();
  if (trimmed.length === 0)
    throw new CliError('EMPTY_SECRET', 'no key given: type it at the prompt or pipe it on stdin');
  if (/\s/.test(trimmed))
    throw new CliError('INVALID_SECRET', 'the key contains whitespace: give exactly one key');
  return trimmed;
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_SECRET_BYTES)
      throw new CliError(
        'INVALID_SECRET',
        `stdin holds more than ${MAX_SECRET_BYTES} bytes: give exactly one key`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    output.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: string): void => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('CANCELLED', 'cancelled', 130));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
