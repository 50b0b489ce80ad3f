import { hostname as osHostname } from 'node:os';
import type { SecurityEvent } from '../event.js';
import { HttpTarget, statusError, type HttpTargetOptions } from './http.js';
import { DeliveryError, type Transport } from './sink.js';

// Splunk HTTP Event Collector: POST {url}/services/collector/event with
// `Authorization: Splunk <token>`; the body is one JSON envelope per event
// ({"time": epoch seconds, "host", "source", "sourcetype", "index"?, "event": {…}}), several
// concatenated (one per line) for a batch. Success is HTTP 200 with {"text":"Success","code":0}.

export const HEC_PATH = '/services/collector/event';

export interface SplunkHecOptions extends Omit<HttpTargetOptions, 'url'> {
  /** The HEC base URL (https://splunk:8088), or the full event endpoint. */
  url: URL;
  token: string;
  index?: string;
  /** Default "bulwark". */
  source?: string;
  /** Default "bulwark:event". */
  sourcetype?: string;
  /** Envelope host when the event names none; default this machine's name. */
  host?: string;
}

/** The event endpoint for a configured URL: kept when it already ends with the HEC path, else appended. */
export function hecEndpoint(base: URL): URL {
  const u = new URL(base.href);
  const path = u.pathname.replace(/\/+$/, '');
  if (!path.endsWith(HEC_PATH)) u.pathname = `${path}${HEC_PATH}`;
  return u;
}

interface HecEnvelope {
  time?: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: SecurityEvent;
}

function hecEnvelope(
  e: SecurityEvent,
  o: Pick<SplunkHecOptions, 'index' | 'source' | 'sourcetype' | 'host'> = {},
): HecEnvelope {
  const ms = Date.parse(e.time);
  return {
    // epoch seconds with milliseconds; left out (Splunk then uses the arrival time) when the time is unreadable
    ...(Number.isFinite(ms) ? { time: ms / 1000 } : {}),
    host: e.host || o.host || osHostname(),
    source: o.source ?? 'bulwark',
    sourcetype: o.sourcetype ?? 'bulwark:event',
    ...(o.index ? { index: o.index } : {}),
    event: e,
  };
}

/** HEC's answer body: {"text": "...", "code": N}. */
function hecAnswer(body: string): { text?: string; code?: number } | undefined {
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return {
        ...(typeof o.text === 'string' ? { text: o.text } : {}),
        ...(typeof o.code === 'number' ? { code: o.code } : {}),
      };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

export class SplunkHecTransport implements Transport {
  private readonly target: HttpTarget;

  constructor(private readonly o: SplunkHecOptions) {
    this.target = new HttpTarget({ ...o, url: hecEndpoint(o.url) });
  }

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    if (batch.length === 0) return;
    const body = Buffer.from(batch.map((e) => JSON.stringify(hecEnvelope(e, this.o))).join('\n'), 'utf8');
    const headers = {
      'user-agent': 'bulwark-agent',
      'content-type': 'application/json',
      authorization: `Splunk ${this.o.token}`,
    };
    const reply = await this.target.post(body, headers, signal);
    const answer = hecAnswer(reply.body);
    const detail = answer ? `${answer.text ?? ''} (code ${answer.code ?? '?'})` : '';
    if (reply.status !== 200) throw statusError(this.target.where, reply, detail);
    if (answer?.code !== 0) {
      // a 200 that is not HEC's success answer: something else answered, sending it again will not help
      throw new DeliveryError('NETWORK', this.target.where, `unexpected HEC answer${detail ? `: ${detail}` : ''}`, {
        retryable: false,
      });
    }
  }

  async close(): Promise<void> {
    this.target.close();
  }
}
