/** Notifications out (`serve --notify`): see notifier.ts. */
export { Notifier, type NotifierOptions } from './notifier.ts';
export { Endpoint, backoffDelay, redactUrl, DEFAULT_DELIVERY, type AttemptRecord, type DeliveryOptions } from './endpoint.ts';
export { buildRequest, formatOf, hmacSha256Hex, NOTIFY_FORMATS, SIGNATURE_HEADER, TIMESTAMP_HEADER, type NotifyFormat } from './formats.ts';
export { sampleNotice, type Notice } from './notice.ts';
