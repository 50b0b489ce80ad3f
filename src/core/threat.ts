// The threat taxonomy every finding and event is mapped to: the STRIDE category it counters
// (static checks) or belongs to (runtime events), next to a MITRE ATT&CK technique id.

export type Stride =
  'Spoofing' | 'Tampering' | 'Repudiation' | 'InformationDisclosure' | 'DenialOfService' | 'ElevationOfPrivilege';
export const STRIDE: readonly Stride[] = [
  'Spoofing',
  'Tampering',
  'Repudiation',
  'InformationDisclosure',
  'DenialOfService',
  'ElevationOfPrivilege',
];

/** A MITRE ATT&CK technique id: "T1059" or a sub-technique "T1059.004". */
export const ATTACK_ID = /^T\d{4}(\.\d{3})?$/;
