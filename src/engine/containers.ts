import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { call, callJson, callStream, type RequestBody } from './socket.js';
import { ContainerInspect, ContainerSummary, Created } from './schema.js';

// Containers: inspect, list, lifecycle (create, start, pause, unpause, stop, kill, remove),
// resource updates, and their filesystem (export, put archive).

const at = (id: string, rest = ''): string => `/containers/${encodeURIComponent(id)}${rest}`;

/** The container's inspect document; undefined when the engine knows no such container. */
export function inspectContainer(id: string): Promise<ContainerInspect | undefined> {
  return callJson({ method: 'GET', path: at(id, '/json') }, ContainerInspect, { missingOk: true });
}

/** The running containers (all of them with `all`). */
export function listContainers(o: { all?: boolean } = {}): Promise<ContainerSummary[]> {
  return callJson({ method: 'GET', path: `/containers/json${o.all ? '?all=1' : ''}` }, z.array(ContainerSummary));
}

/** What a container is created from: the engine's create body (Image, Cmd, Env, HostConfig…). */
export type CreateBody = { Image: string } & Record<string, unknown>;

/** Creates a container; its id. */
export async function createContainer(body: CreateBody, name?: string): Promise<string> {
  const query = name ? `?name=${encodeURIComponent(name)}` : '';
  return (await callJson({ method: 'POST', path: `/containers/create${query}`, json: body }, Created)).Id;
}

export async function startContainer(id: string): Promise<void> {
  await call({ method: 'POST', path: at(id, '/start') });
}

/** Freezes every process of the container (the cgroup freezer, through the runtime). */
export async function pauseContainer(id: string): Promise<void> {
  await call({ method: 'POST', path: at(id, '/pause') });
}

/** SIGTERM, then SIGKILL after `timeoutSeconds` (the engine's default when unset). */
export async function stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
  await call({ method: 'POST', path: at(id, `/stop${timeoutSeconds !== undefined ? `?t=${timeoutSeconds}` : ''}`) });
}

export async function removeContainer(id: string, o: { force?: boolean } = {}): Promise<void> {
  await call({ method: 'DELETE', path: at(id, o.force ? '?force=1' : '') }, { missingOk: true });
}

/** Resource limits changed on a running container. */
export interface ContainerUpdate {
  PidsLimit?: number;
  Memory?: number;
  NanoCpus?: number;
  CpuShares?: number;
}

export async function updateContainer(id: string, update: ContainerUpdate): Promise<void> {
  await call({ method: 'POST', path: at(id, '/update'), json: update });
}

/** The container's whole filesystem as a tar stream (docker export). */
export function exportContainer(id: string): Promise<IncomingMessage> {
  return callStream({ method: 'GET', path: at(id, '/export') });
}

/** Extracts a tar stream into a directory of the container (docker cp). */
export async function putArchive(id: string, dir: string, tar: RequestBody): Promise<void> {
  await call({
    method: 'PUT',
    path: at(id, `/archive?path=${encodeURIComponent(dir)}`),
    body: tar,
    contentType: 'application/x-tar',
  });
}
