import { z } from 'zod';

// The parts of the Engine's answers Bulwark reads (API v1.41), checked at the boundary. Loose
// objects: the engine adds fields from version to version.

export const ContainerInspect = z.looseObject({
  Id: z.string(),
  Name: z.string().default(''),
  Image: z.string().default(''),
  Config: z
    .looseObject({
      Image: z.string().default(''),
      Labels: z.record(z.string(), z.string()).nullish(),
      User: z.string().nullish(),
    })
    .nullish(),
  State: z
    .looseObject({ Pid: z.number().default(0), Running: z.boolean().default(false), StartedAt: z.string().nullish() })
    .nullish(),
  HostConfig: z
    .looseObject({
      PidsLimit: z.number().nullish(),
      Privileged: z.boolean().nullish(),
      CapAdd: z.array(z.string()).nullish(),
      NetworkMode: z.string().nullish(),
      PidMode: z.string().nullish(),
      IpcMode: z.string().nullish(),
    })
    .nullish(),
  /** Published ports: "80/tcp" → the host addresses and ports bound to it. */
  NetworkSettings: z
    .looseObject({
      Ports: z
        .record(
          z.string(),
          z.array(z.looseObject({ HostIp: z.string().default(''), HostPort: z.string().default('') })).nullish(),
        )
        .nullish(),
    })
    .nullish(),
  Mounts: z
    .array(
      z.looseObject({ Type: z.string().optional(), Source: z.string().default(''), RW: z.boolean().default(true) }),
    )
    .nullish(),
  GraphDriver: z
    .looseObject({ Name: z.string().optional(), Data: z.record(z.string(), z.string()).nullish() })
    .nullish(),
});
export type ContainerInspect = z.infer<typeof ContainerInspect>;

export const ContainerSummary = z.looseObject({ Id: z.string() });
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const Created = z.looseObject({ Id: z.string() });

export const ExecInspect = z.looseObject({ ExitCode: z.number().nullish(), Running: z.boolean().optional() });

export const ImageInspect = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  RepoDigests: z.array(z.string()).nullish(),
});
export type ImageInspect = z.infer<typeof ImageInspect>;

export const EngineEvent = z.looseObject({
  Type: z.string().optional(),
  Action: z.string().optional(),
  Actor: z
    .looseObject({ ID: z.string().optional(), Attributes: z.record(z.string(), z.string()).optional() })
    .optional(),
  time: z.number().optional(),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

/** A line of a progress stream (import, build): an `error` ends it badly. */
export const ProgressLine = z.looseObject({
  error: z.string().optional(),
  stream: z.string().optional(),
  status: z.string().optional(),
});
