import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Keys are kept out at the source (SecretString, no body logging); redaction
 * is the second line of defence for headers and any field named like a credential.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  '*.apiKey',
  'body',
  '*.body',
  'token',
  '*.token',
];

interface LoggedRequest {
  method?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

/**
 * Requests are logged by route pattern, never by raw URL: a caller that pastes a key into the path
 * (by mistake or to probe us) must not get it written to the logs.
 */
function requestSerializer(request: LoggedRequest): Record<string, string | undefined> {
  return {
    method: request.method,
    route: request.routeOptions?.url ?? '(no route)',
    remoteAddress: request.ip,
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'key-service' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { req: requestSerializer },
  };
  return destination ? pino(options, destination) : pino(options);
}
