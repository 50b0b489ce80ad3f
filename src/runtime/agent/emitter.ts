import { randomUUID } from 'node:crypto';
import type { EventAction, SecurityEvent } from '../../events/event.js';
import type { Sink } from '../../events/sinks/index.js';
import type { ContainerInfo } from '../containers.js';
import type { RuleMatch } from '../rules/ruleset.js';

// Events out: each detection, named by the rule that matched, stamped and sent to the sinks.

export type EventBody = Omit<SecurityEvent, 'id' | 'time' | 'host'> & { time?: string };
/** What an event carries beyond its rule: the process, the file, extra fields, the kernel's time. */
export type EventDetail = Partial<SecurityEvent>;

function eventContainer(container: ContainerInfo): NonNullable<SecurityEvent['container']> {
  return { id: container.id, name: container.name, image: container.image, imageDigest: container.imageId };
}

export class Emitter {
  constructor(
    private readonly sinks: Sink,
    private readonly host: string,
    private readonly onEvent?: (e: SecurityEvent) => void,
  ) {}

  send(body: EventBody): SecurityEvent {
    const event: SecurityEvent = {
      id: randomUUID(),
      host: this.host,
      ...body,
      time: body.time ?? new Date().toISOString(),
    };
    this.sinks.emit(event);
    this.onEvent?.(event);
    return event;
  }

  /** The event of a rule match: the rule's name, severity and threat mapping, its output as the message. */
  fromMatch(
    match: RuleMatch,
    container: ContainerInfo | undefined,
    detail: EventDetail,
    action: EventAction,
  ): SecurityEvent {
    const { rule } = match;
    return this.send({
      rule: rule.name,
      severity: rule.severity,
      message: match.message,
      stride: rule.stride,
      attack: rule.attack,
      action,
      ...(container ? { container: eventContainer(container) } : {}),
      ...detail,
    });
  }
}
