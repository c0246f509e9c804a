/** The `gw` command line: parse flags, hand over to a command, turn the outcome into an exit code. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CLIENT_TIMEOUT_MS, DEFAULT_HEADERS, DEFAULT_HEADERS_UPSTREAM, parseHeaderPolicy, PluginLoadError } from '@gw/core';
import { packageVersion } from '@gw/plugin-api';
import { runSync } from './commands/sync.js';
import { runStart } from './commands/start.js';
import { runModels } from './commands/models.js';
import { runUsage } from './commands/usage.js';
import { DIMENSIONS, parseTimeBound, type Dimension } from '@gw/usage-report';
import { runDiff } from './commands/diff.js';
import { runDump } from './commands/dump.js';
import { autoWorkers } from './commands/start-cluster.js';
import { describeError, err } from './output.js';

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  // Commander passes a command's arguments first and the command last; `args` carries them (gw usage's files).
  const program = createProgram((run) => async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    code = await run({ ...(command.optsWithGlobals() as object), args: command.args } as never);
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    const debug = argv.includes('--debug');
    // Load errors are expected and self-explaining; anything else gets a hint about --debug.
    const hint = debug || error instanceof PluginLoadError ? '' : ' (run with --debug for details)';
    err(`gw: error: ${describeError(error, debug)}${hint}`);
    return 1;
  }
}

// Commander hands options over untyped; each command declares the shape its flags produce.
type Run = (opts: never) => Promise<number>;

function createProgram(action: (run: Run) => (...params: unknown[]) => Promise<void>): Command {
  const program = new Command('gw')
    .description('gw: a declarative AI gateway for decK-style kong.yaml files')
    .version(packageVersion(import.meta.url), '-V, --version')
    .option('--debug', 'show stack traces of errors')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  program
    .command('sync')
    .description('validate config files offline and print what they declare (exit 1 when invalid); with --admin, apply them to a running gw')
    .addOption(stateOption())
    .option('--json', 'print the result as JSON: {ok, summary, warnings} or {ok, problems}')
    .option('--mock-env', 'validate without the DECK_* variables set (decK mock mode)')
    .addOption(pluginsOption())
    .addOption(new Option('--admin <url>', "a running gw's admin API (gw start --admin-listen): diff against it, apply (POST /config), print the summary"))
    .addOption(adminTokenOption())
    .option('--dry-run', 'with --admin: print what would change, apply nothing')
    .action(action(runSync));

  program
    .command('diff')
    .description("print what gw sync --admin would change on a running gw, decK-style (exit 0: nothing, 2: differences)")
    .addOption(stateOption())
    .addOption(new Option('--admin <url>', "the running gw's admin API, e.g. http://127.0.0.1:8001").makeOptionMandatory())
    .addOption(adminTokenOption())
    .addOption(pluginsOption())
    .option('--non-zero-exit-code', "decK's flag; gw diff always exits 2 when there are differences")
    .action(action(runDiff));

  program
    .command('dump')
    .description("write a running gw's config as a decK file (secrets as ${{ env }} references)")
    .addOption(new Option('--admin <url>', "the running gw's admin API, e.g. http://127.0.0.1:8001").makeOptionMandatory())
    .addOption(adminTokenOption())
    .option('-o, --output <file>', 'where to write it (- for standard output)', 'kong.yaml')
    .option('--yes', 'overwrite the output file if it exists')
    .action(action(runDump));

  program
    .command('start')
    .description('serve the config files (SIGHUP reloads, SIGUSR1 reopens logs, SIGTERM drains and exits)')
    .addOption(stateOption())
    .addOption(new Option('-p, --port <port>', 'port to listen on (0 picks a free one)').default(8000).argParser(integer('port', 0, 65535)))
    .option('--host <host>', 'address to listen on (0.0.0.0: every interface, e.g. in a container)', '127.0.0.1')
    .addOption(new Option('--ssl-listen <[host:]port>', "also serve the proxy over TLS there (Kong's proxy_listen … ssl; host defaults to --host)").argParser(listenAddress))
    .option('--ssl-cert <file>', 'PEM certificate (chain) for --ssl-listen (Kong: ssl_cert)')
    .option('--ssl-cert-key <file>', 'PEM private key for --ssl-listen (Kong: ssl_cert_key)')
    .addOption(
      new Option('--status-listen <[host:]port>', "serve GET /status and /status/ready there (Kong's status_listen; host defaults to 127.0.0.1)")
        .argParser(listenAddress),
    )
    .addOption(
      new Option('--admin-listen <[host:]port>', "serve the admin API there (Kong's admin_listen, DB-less: GET/POST /config, read-only entities; host defaults to 127.0.0.1; elsewhere it needs --admin-token)")
        .argParser(listenAddress),
    )
    .addOption(adminTokenOption())
    .addOption(pluginsOption())
    .addOption(
      new Option('--drain-timeout <ms>', 'on SIGTERM/SIGINT, wait this long for in-flight requests')
        .default(10_000)
        .argParser(integer('drain timeout', 0, 24 * 3600 * 1000)),
    )
    .addOption(
      new Option('--headers <list>', "gw's own response headers (Kong's `headers`): off, or server_tokens, latency_tokens, Server, Via, X-Kong-Request-Id, …")
        .default(DEFAULT_HEADERS)
        .argParser(checked((value) => parseHeaderPolicy(value, undefined))),
    )
    .addOption(
      new Option('--headers-upstream <list>', "gw's own upstream request headers (Kong's `headers_upstream`): X-Kong-Request-Id or off")
        .default(DEFAULT_HEADERS_UPSTREAM)
        .argParser(checked((value) => parseHeaderPolicy(undefined, value))),
    )
    .addOption(
      new Option('--underscores-in-headers [on|off]', "Kong's nginx_http_underscores_in_headers: keep request headers whose names contain _ (dropped by default, as nginx does)")
        .env('GW_UNDERSCORES_IN_HEADERS')
        .preset('on')
        .default(false)
        .argParser(onOff('--underscores-in-headers')),
    )
    .addOption(
      new Option('--client-body-timeout <ms>', "Kong's nginx_http_client_body_timeout: a client silent this long while sending its body gets a 408 (0: off)")
        .default(DEFAULT_CLIENT_TIMEOUT_MS)
        .argParser(integer('client body timeout', 0, 24 * 3600 * 1000)),
    )
    .addOption(
      new Option('--client-header-timeout <ms>', "Kong's nginx_http_client_header_timeout: how long a connection may take to send a request head, or to start one (0: off)")
        .default(DEFAULT_CLIENT_TIMEOUT_MS)
        .argParser(integer('client header timeout', 0, 24 * 3600 * 1000)),
    )
    .addOption(
      new Option('--workers <n|auto>', 'serve with N worker processes sharing the listeners (auto: one per core); a primary holds the status and admin listeners and replaces a worker that dies')
        .env('GW_WORKERS')
        .argParser(workerCount),
    )
    .addOption(
      new Option('--idle-gc <ms>', 'once idle this long after a burst, run a full GC so its memory goes back (0: off)')
        .default(10_000)
        .argParser(integer('idle GC delay', 0, 24 * 3600 * 1000)),
    )
    .action(action(runStart));

  program
    .command('models')
    .description('print the model catalogue: ids, aliases, the Bedrock id for a region, prices (USD per million tokens)')
    .addOption(
      new Option('--region <region>', 'AWS region whose Bedrock ids to show (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)').argParser(
        awsRegion,
      ),
    )
    .addOption(
      new Option('--global <when>', 'use the global. inference profile: never, prefer (wherever the model has one), fallback (where no geography serves)')
        .choices(['never', 'prefer', 'fallback'])
        .default('never'),
    )
    .addOption(new Option('--prices <table>', 'which prices to show').choices(['bedrock', 'anthropic']).default('bedrock'))
    .option('--json', 'print the catalogue, with each model\'s Bedrock target for the region, as JSON')
    .action(action(runModels));

  program
    .command('usage')
    .description('report requests, tokens, cost, errors and latency from file-log files (rotated and gzipped ones too)')
    .argument('<logfiles...>', 'file-log files, plain or gzip (told by their first bytes); - reads standard input')
    .addOption(new Option('--by <dimensions>', `group by a comma list of ${DIMENSIONS.join(', ')} (UTC periods)`).argParser(dimensions))
    .addOption(
      new Option('--since <when>', 'only requests started at or after: 2026-12-01, 2026-12-01T09:30 (UTC unless a zone is given), 2026-12, or an age: 30m, 12h, 7d, 2w')
        .argParser(timeBound('since')),
    )
    .addOption(new Option('--until <when>', 'only requests started before this; a date or month counts to its end').argParser(timeBound('until')))
    .addOption(new Option('--consumer <name>', 'only this consumer (username, custom_id or id); repeat for several').argParser(collect))
    .addOption(new Option('--json', 'print the report as JSON').conflicts('csv'))
    .option('--csv', 'print one CSV row per group (the total without --by)')
    .option('--html <file>', 'also write a self-contained HTML page with charts to this file')
    .action(action(runUsage));

  return program;
}

function stateOption(): Option {
  return new Option('-s, --state <files...>', 'decK config file(s) or folders; repeat or list several to merge them; - reads standard input').default(['kong.yaml']);
}

/** The admin API's token: gw start requires it off loopback; the client commands send it. */
function adminTokenOption(): Option {
  return new Option('--admin-token <token>', 'admin API token (Kong-Admin-Token header; default: $GW_ADMIN_TOKEN)').env('GW_ADMIN_TOKEN');
}

function pluginsOption(): Option {
  return new Option('--plugins <list>', 'comma list: bundled, bundled plugin names, npm packages, paths (default: $GW_PLUGINS or bundled)');
}

/** `8100`, `127.0.0.1:8100`, `[::1]:8100`, `0.0.0.0:8100`; no host: undefined (the listener's default). */
function listenAddress(value: string): { host: string | undefined; port: number } {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d+)$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new InvalidArgumentError('address must be [host:]port, e.g. 127.0.0.1:8100');
  return { host: match[1]?.replace(/^\[|\]$/g, ''), port };
}

/** Keeps the raw value once `check` accepts it; its message becomes commander's usage error. */
function checked(check: (value: string) => unknown) {
  return (value: string): string => {
    try {
      check(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
    return value;
  };
}

function dimensions(value: string): Dimension[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = names.filter((name) => !(DIMENSIONS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`${unknown.length > 0 ? `unknown: ${unknown.join(', ')}; ` : ''}use a comma list of ${DIMENSIONS.join(', ')}`);
  }
  return names as Dimension[];
}

function timeBound(edge: 'since' | 'until') {
  return (value: string): number => {
    try {
      return parseTimeBound(value, edge, Date.now());
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function awsRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(value)) throw new InvalidArgumentError('region must look like us-east-1');
  return value;
}

/** nginx's on/off (also true/false, 1/0), as kong.conf takes it. */
function onOff(what: string) {
  return (value: string): boolean => {
    const v = value.trim().toLowerCase();
    if (v === 'on' || v === 'true' || v === '1') return true;
    if (v === 'off' || v === 'false' || v === '0') return false;
    throw new InvalidArgumentError(`${what} must be on or off, got '${value}'`);
  };
}

/** `auto` (one per core) or 1…1024. */
function workerCount(value: string): number {
  if (value.trim().toLowerCase() === 'auto') return autoWorkers();
  return integer('--workers', 1, 1024)(value.trim());
}

function integer(what: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}`);
    return parsed;
  };
}
