#!/usr/bin/env node
/** The `apexseo` executable. */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv);
