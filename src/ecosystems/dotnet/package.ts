import { PackageURL } from 'packageurl-js';

/** A NuGet package as one file states it. */
export interface NuGetPackage {
  name: string;
  version: string;
  /** Base64 SHA-512 of the .nupkg ("sha512-…" in deps.json, contentHash in lockfiles). */
  sha512?: string;
}

/** pkg:nuget/Name@Version: the spec keeps the name's case (NuGet ids are case-insensitive). */
export function nugetPurl(name: string, version: string): string {
  return new PackageURL('nuget', undefined, name, version || undefined).toString();
}
