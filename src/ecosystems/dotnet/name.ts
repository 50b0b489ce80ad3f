/** A NuGet package id: NuGet compares ids case-insensitively ("Newtonsoft.Json" is "newtonsoft.json"). */
export function nugetName(name: string): string {
  return name.toLowerCase();
}
