/** Exit code for every error; gates choose their own (never this one). */
export const EXIT_ERROR = 2;

/** A signature or attestation that does not verify, a policy that denies, a push refused. */
export const EXIT_DENIED = 1;
