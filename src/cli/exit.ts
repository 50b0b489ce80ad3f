/** Exit code for every error; gates choose their own (never this one). */
export const EXIT_ERROR = 2;

/** A signature or attestation that does not verify, a policy that denies, a push refused. */
export const EXIT_DENIED = 1;

/** `scan --server`: the scan ran and its report was written, but the server did not take it. */
export const EXIT_UPLOAD = 3;
