/**
 * The JetStream stream that holds the events of every host: created if missing, left
 * alone if it exists with compatible settings, and a clear error otherwise (never a
 * silent change). Its sequence is the protocol's `seq`; its name and creation time are
 * the `epoch`, so every server instance reading it speaks the same epoch.
 */
import {
  DiscardPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventsWildcard } from './subjects.ts';

export interface StreamSettings {
  /** Stream name (default TMUX_MONITOR). */
  name: string;
  prefix: string;
  /** Most events held; undefined: the stream's own (or 1000 when creating it). */
  historySize?: number;
  /** Oldest event held, ms; undefined: the stream's own (or 300 s when creating it). */
  historyTtlMs?: number;
}

export interface StreamHandle {
  name: string;
  epoch: string;
  /** The limits in force (from the stream), for the hub's in-memory window over it. */
  historySize: number;
  historyTtlMs: number;
  /** Sequence of the first and last message held when we looked. */
  firstSeq: number;
  lastSeq: number;
}

const NANOS_PER_MS = 1_000_000;
const DEFAULT_SIZE = 1000;
const DEFAULT_TTL_MS = 300_000;
const MAX_DUPLICATE_WINDOW_MS = 120_000;

export class StreamConfigError extends Error {}

export async function ensureStream(nc: NatsConnection, settings: StreamSettings): Promise<StreamHandle> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    throw new StreamConfigError(`JetStream is not available on this NATS server (start it with -js): ${messageOf(error)}`);
  }
  let info = await existing(jsm, settings.name);
  if (info === undefined) {
    const ttlMs = settings.historyTtlMs ?? DEFAULT_TTL_MS;
    const config: Partial<StreamConfig> & { name: string } = {
      name: settings.name,
      subjects: [eventsWildcard(settings.prefix)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_msgs: settings.historySize ?? DEFAULT_SIZE,
      max_age: ttlMs * NANOS_PER_MS,
      // Retried publishes carry the same id and are stored once within this window.
      duplicate_window: Math.min(MAX_DUPLICATE_WINDOW_MS, ttlMs || MAX_DUPLICATE_WINDOW_MS) * NANOS_PER_MS,
      num_replicas: 1,
    };
    try {
      info = await jsm.streams.add(config);
    } catch (error) {
      // Another process created it between our look and our add: use theirs.
      info = await existing(jsm, settings.name);
      if (info === undefined) throw new StreamConfigError(`could not create stream ${settings.name}: ${messageOf(error)}`);
    }
  }
  checkCompatible(info, settings);
  return {
    name: settings.name,
    epoch: epochOf(info),
    historySize: info.config.max_msgs > 0 ? info.config.max_msgs : DEFAULT_SIZE,
    historyTtlMs: info.config.max_age > 0 ? Math.round(info.config.max_age / NANOS_PER_MS) : 0,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
  };
}

/** The epoch: stream name and creation time (ms, base 36), at most 64 characters. */
export function epochOf(info: StreamInfo): string {
  const created = Date.parse(info.created.replace(/(\.\d{3})\d+/, '$1'));
  return `${info.config.name.slice(0, 48)}:${(Number.isNaN(created) ? 0 : created).toString(36)}`;
}

function checkCompatible(info: StreamInfo, settings: StreamSettings): void {
  const { config } = info;
  const problems: string[] = [];
  const wanted = eventsWildcard(settings.prefix);
  if (config.subjects?.length !== 1 || config.subjects[0] !== wanted) {
    problems.push(`its subjects are ${JSON.stringify(config.subjects ?? [])}, not ["${wanted}"] (another --nats-prefix?)`);
  }
  if (config.retention !== RetentionPolicy.Limits) problems.push(`its retention is "${config.retention}", not "limits"`);
  if (settings.historySize !== undefined && config.max_msgs !== settings.historySize) {
    problems.push(`it holds ${config.max_msgs} messages, not --history-size ${settings.historySize}`);
  }
  if (settings.historyTtlMs !== undefined && Math.round(config.max_age / NANOS_PER_MS) !== settings.historyTtlMs) {
    problems.push(`its max age is ${Math.round(config.max_age / 1e9)} s, not --history-ttl ${settings.historyTtlMs / 1000}`);
  }
  if (problems.length > 0) {
    throw new StreamConfigError(
      `stream ${settings.name} exists with other settings: ${problems.join('; ')}. ` +
        'Leave those flags out to use the stream as it is, name another stream with --nats-stream, or change or delete it with the nats CLI.',
    );
  }
}

async function existing(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (/not found/i.test(messageOf(error))) return undefined;
    throw error;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
