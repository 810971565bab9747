import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Logger } from 'pino';
import { isKeyCryptoError, KekUnavailableError } from '../crypto/crypto-errors.js';
import { ApiError } from './api-error.js';

/** Every JSON body is at most 16 KiB (docs/architecture.md). */
export const BODY_LIMIT_BYTES = 16 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Fastify with the service's edge rules: bodies are strict UTF-8 JSON (the stock parser would
 * silently replace invalid bytes), at most 16 KiB, and every error leaves as
 * `{"error": {"code", "message"}}` without internals.
 */
export function createApiServer(logger: Logger): FastifyInstance {
  const app = Fastify({
    // The cast pins Fastify's logger generic to the base type the route modules are written against.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors raised before routing (a URL with broken percent-encoding, a bad Content-Type header)
    // get the same error body as everything else.
    frameworkErrors: (error, _request, reply) => {
      const apiError =
        error.code === 'FST_ERR_BAD_URL'
          ? new ApiError(400, 'INVALID_REQUEST', 'the URL path is not valid (bad percent-encoding)')
          : toApiError(error);
      void (reply as unknown as FastifyReply).code(apiError.statusCode).send(apiError.toBody());
    },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    (_request, body, done) => {
      let text: string;
      try {
        text = strictUtf8.decode(body as Buffer);
      } catch {
        done(new ApiError(400, 'INVALID_ENCODING', 'request body is not valid UTF-8'), undefined);
        return;
      }
      if (text.trim() === '') {
        done(new ApiError(400, 'MALFORMED_JSON', 'request body is empty; send a JSON object'), undefined);
        return;
      }
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        done(new ApiError(400, 'MALFORMED_JSON', 'request body is not valid JSON'), undefined);
      }
    },
  );

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });

  app.setNotFoundHandler(async (_request, reply) => {
    await reply.code(404).send(new ApiError(404, 'NOT_FOUND', 'no such route').toBody());
  });

  app.setErrorHandler(async (error: FastifyError | Error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) {
      // Class name, type and message only: a driver error's detail fields can quote row values.
      request.log.error(
        {
          errType: (error as { type?: unknown }).type ?? (error as { code?: unknown }).code,
          errName: error.name,
          errMessage: error.message,
        },
        'request failed',
      );
    }
    if (apiError.details['retryAfterSeconds'] !== undefined)
      reply.header('retry-after', String(apiError.details['retryAfterSeconds']));
    await reply.code(apiError.statusCode).send(apiError.toBody());
  });

  return app;
}

function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof KekUnavailableError)
    return new ApiError(503, 'KEK_UNAVAILABLE', 'the key-encryption key is unavailable; retry later');
  if (isKeyCryptoError(error))
    return new ApiError(500, 'KEY_DECRYPTION_FAILED', 'the stored key could not be decrypted');
  const code = (error as FastifyError).code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${BODY_LIMIT_BYTES} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'MALFORMED_JSON', 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'INVALID_REQUEST', 'Content-Length does not match the body');
    default:
      break;
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new ApiError(status, 'INVALID_REQUEST', 'the request could not be read');
  return new ApiError(500, 'INTERNAL', 'internal error');
}
