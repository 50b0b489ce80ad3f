import type { Stride } from '../core/threat.js';
import type { Severity } from '../core/types.js';

// What the runtime agent reports: one SecurityEvent per detection, whatever its source
// (kernel audit, fanotify, the Docker Engine, /proc), mapped to STRIDE and ATT&CK like the
// static checks, and sent unchanged to every sink.

export type EventAction = 'alert' | 'denied' | 'killed' | 'paused' | 'stopped' | 'limited';

export interface SecurityEvent {
  /** Unique id (UUID). */
  id: string;
  /** When it happened (ISO 8601, from the kernel's timestamp where there is one). */
  time: string;
  /** The rule or detector that fired: "drift", "shell-in-container", a user rule's name. */
  rule: string;
  severity: Severity;
  /** One line for people. */
  message: string;
  stride: Stride;
  /** MITRE ATT&CK technique id. */
  attack: string;
  /** What the agent did about it. */
  action: EventAction;
  host?: string;
  container?: { id: string; name?: string; image?: string; imageDigest?: string };
  process?: {
    pid: number;
    ppid?: number;
    exe?: string;
    args?: string[];
    cwd?: string;
    uid?: number;
    auid?: number;
    user?: string;
  };
  file?: {
    path: string;
    operation:
      | 'exec'
      | 'open'
      | 'read'
      | 'write'
      | 'chmod'
      | 'unlink'
      | 'rename'
      | 'link'
      | 'create'
      | 'chown'
      | 'truncate'
      | 'xattr';
  };
  network?: { address: string; port: number; protocol?: 'tcp' | 'udp' };
  /** Anything else a rule wants to show (counts, limits, thresholds). */
  fields?: Record<string, string | number | boolean>;
}
